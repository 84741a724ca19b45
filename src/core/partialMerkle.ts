// BIP37's partial Merkle tree over pubchain's txids, and the transaction
// inclusion proof built on it (as Bitcoin Core's gettxoutproof): the block
// header, then the tree. The tree is the block's transaction count (u32), the
// hashes a depth-first walk needs (varint count, 32 bytes each) and its flag
// bits (varint byte count; bits from the low bit of each byte). A flag says
// whether the node is an ancestor of a matched txid; the walk descends only
// into those, and gives the hash of every other node it meets.
import { ByteReader, ByteWriter, bytesEqual, concatBytes } from './bytes.js';
import { ValidationError } from './errors.js';
import { sha256d } from './hash.js';
import { BlockHeader, readHeader, serializeHeader } from './header.js';

export interface PartialMerkleTree {
  total: number;
  hashes: Uint8Array[];
  flags: boolean[];
}

/** More transactions than this cannot fit a block; a proof claiming more is refused before any work. */
export const MAX_PROOF_TXS = 1 << 24;

const bad = (why: string): never => {
  throw new ValidationError('bad-encoding', `transaction proof: ${why}`, 20);
};

const widthAt = (total: number, height: number): number => (total + (1 << height) - 1) >>> height;

function treeHeight(total: number): number {
  let h = 0;
  while (widthAt(total, h) > 1) h++;
  return h;
}

function nodeHash(txids: Uint8Array[], height: number, pos: number): Uint8Array {
  if (height === 0) return txids[pos]!;
  const left = nodeHash(txids, height - 1, pos * 2);
  const right = pos * 2 + 1 < widthAt(txids.length, height - 1) ? nodeHash(txids, height - 1, pos * 2 + 1) : left;
  return sha256d(concatBytes(left, right));
}

/** The tree that proves the txids whose `match` flag is set. */
export function buildPartialMerkleTree(txids: Uint8Array[], match: boolean[]): PartialMerkleTree {
  if (txids.length === 0 || match.length !== txids.length) throw new RangeError('a partial Merkle tree needs one match flag per txid, and at least one txid');
  const tree: PartialMerkleTree = { total: txids.length, hashes: [], flags: [] };
  const walk = (height: number, pos: number): void => {
    let parentOfMatch = false;
    for (let p = pos << height; p < (pos + 1) << height && p < txids.length; p++) if (match[p]) { parentOfMatch = true; break; }
    tree.flags.push(parentOfMatch);
    if (height === 0 || !parentOfMatch) {
      tree.hashes.push(nodeHash(txids, height, pos));
      return;
    }
    walk(height - 1, pos * 2);
    if (pos * 2 + 1 < widthAt(txids.length, height - 1)) walk(height - 1, pos * 2 + 1);
  };
  walk(treeHeight(txids.length), 0);
  return tree;
}

/**
 * The Merkle root a tree commits to and the txids it proves (with their
 * positions in the block). Every malformed tree is a 'bad-encoding' error:
 * unused hashes or flag bits, too few of them, and the duplicated-subtree
 * trick of CVE-2012-2459 (equal left and right hashes).
 */
export function extractMatches(tree: PartialMerkleTree): { root: Uint8Array; matches: Array<{ txid: Uint8Array; index: number }> } {
  const { total, hashes, flags } = tree;
  if (total === 0) bad('no transactions');
  if (total > MAX_PROOF_TXS) bad(`${total} transactions (max ${MAX_PROOF_TXS})`);
  if (hashes.length > total) bad(`${hashes.length} hashes for ${total} transactions`);
  if (flags.length < hashes.length) bad('fewer flag bits than hashes');
  let bitsUsed = 0;
  let hashesUsed = 0;
  const matches: Array<{ txid: Uint8Array; index: number }> = [];
  const walk = (height: number, pos: number): Uint8Array => {
    if (bitsUsed >= flags.length) bad('ran out of flag bits');
    const parentOfMatch = flags[bitsUsed++]!;
    if (height === 0 || !parentOfMatch) {
      if (hashesUsed >= hashes.length) bad('ran out of hashes');
      const h = hashes[hashesUsed++]!;
      if (height === 0 && parentOfMatch) matches.push({ txid: h, index: pos });
      return h;
    }
    const left = walk(height - 1, pos * 2);
    let right = left;
    if (pos * 2 + 1 < widthAt(total, height - 1)) {
      right = walk(height - 1, pos * 2 + 1);
      if (bytesEqual(left, right)) bad('a node has two equal children');
    }
    return sha256d(concatBytes(left, right));
  };
  const root = walk(treeHeight(total), 0);
  // Padding in the last flag byte is allowed; a whole unused byte, or an unused hash, is not.
  if (Math.ceil(bitsUsed / 8) !== Math.ceil(flags.length / 8)) bad('unused flag bits');
  if (hashesUsed !== hashes.length) bad('unused hashes');
  return { root, matches };
}

export interface TxOutProof {
  header: BlockHeader;
  tree: PartialMerkleTree;
}

export function serializeTxOutProof(p: TxOutProof): Uint8Array {
  const flagBytes = new Uint8Array(Math.ceil(p.tree.flags.length / 8));
  p.tree.flags.forEach((f, i) => { if (f) flagBytes[i >> 3]! |= 1 << (i & 7); });
  const w = new ByteWriter(80 + 4 + 9 + p.tree.hashes.length * 32 + 9 + flagBytes.length);
  w.bytes(serializeHeader(p.header)).u32(p.tree.total).varint(p.tree.hashes.length);
  for (const h of p.tree.hashes) w.bytes(h);
  return w.varBytes(flagBytes).finish();
}

export function parseTxOutProof(bytes: Uint8Array): TxOutProof {
  const r = new ByteReader(bytes, 'transaction proof');
  const header = readHeader(r);
  const total = r.u32();
  const n = r.varint();
  if (n * 32 > r.remaining) bad(`claims ${n} hashes, more than its bytes hold`);
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) hashes.push(Uint8Array.from(r.bytes(32)));
  const flagBytes = r.varBytes(r.remaining);
  r.end();
  const flags: boolean[] = [];
  for (let i = 0; i < flagBytes.length * 8; i++) flags.push(((flagBytes[i >> 3]! >> (i & 7)) & 1) === 1);
  return { header, tree: { total, hashes, flags } };
}
