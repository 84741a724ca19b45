// The 80-byte block header, laid out exactly as Bitcoin's. The height is not in
// the header: it is in the coinbase (BIP34) and in the stored block index.
import { ByteReader } from './bytes.js';
import { ValidationError } from './errors.js';
import { sha256d } from './hash.js';

export const HEADER_SIZE = 80;

export interface BlockHeader {
  version: number;
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}

export function serializeHeader(h: BlockHeader): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  writeHeader(out, new DataView(out.buffer), 0, h);
  return out;
}

/** Writes the 80 bytes at `at` of `out` (`view` over out's buffer, at out's offset 0). */
export function writeHeader(out: Uint8Array, view: DataView, at: number, h: BlockHeader): void {
  if (h.prevHash.length !== 32 || h.merkleRoot.length !== 32) throw new RangeError('header hashes must be 32 bytes');
  view.setUint32(at, h.version >>> 0, true);
  out.set(h.prevHash, at + 4);
  out.set(h.merkleRoot, at + 36);
  view.setUint32(at + 68, h.time >>> 0, true);
  view.setUint32(at + 72, h.bits >>> 0, true);
  view.setUint32(at + 76, h.nonce >>> 0, true);
}

export function readHeader(r: ByteReader): BlockHeader {
  return {
    version: r.u32(),
    prevHash: Uint8Array.from(r.bytes(32)),
    merkleRoot: Uint8Array.from(r.bytes(32)),
    time: r.u32(),
    bits: r.u32(),
    nonce: r.u32(),
  };
}

export function parseHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length !== HEADER_SIZE) throw new ValidationError('bad-encoding', `a header is 80 bytes, got ${bytes.length}`, 20);
  return readHeader(new ByteReader(bytes, 'header'));
}

/**
 * A header's hash is asked for several times on its way in (the message, the
 * download, the chain, the sanity rules), so the last MEMO_SIZE hashes are
 * remembered per header object, with the header's fields as they were hashed:
 * a header changed since (a miner trying nonces) is hashed again. Each call
 * returns its own copy.
 */
const MEMO_SIZE = 4096;
interface Memo { version: number; time: number; bits: number; nonce: number; prevMerkleHash: Uint8Array }
const memo = new WeakMap<BlockHeader, Memo>();
const memoRing: Array<BlockHeader | undefined> = new Array<BlockHeader | undefined>(MEMO_SIZE);
let memoAt = 0;
const scratch = new Uint8Array(HEADER_SIZE);
const scratchView = new DataView(scratch.buffer);

function sameAsHashed(m: Memo, h: BlockHeader): boolean {
  if (m.version !== h.version || m.time !== h.time || m.bits !== h.bits || m.nonce !== h.nonce) return false;
  const b = m.prevMerkleHash, p = h.prevHash, r = h.merkleRoot;
  if (p.length !== 32 || r.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (b[i] !== p[i] || b[32 + i] !== r[i]) return false;
  return true;
}

export function headerHash(h: BlockHeader): Uint8Array {
  const m = memo.get(h);
  if (m && sameAsHashed(m, h)) return m.prevMerkleHash.slice(64);
  writeHeader(scratch, scratchView, 0, h);
  return remember(h, sha256d(scratch));
}

/** Both headers' fields are equal, so they are the same 80 bytes (a version is compared as its 32-bit pattern). */
export function sameHeader(a: BlockHeader, b: BlockHeader): boolean {
  if ((a.version >>> 0) !== (b.version >>> 0) || a.time !== b.time || a.bits !== b.bits || a.nonce !== b.nonce) return false;
  const ap = a.prevHash, bp = b.prevHash, am = a.merkleRoot, bm = b.merkleRoot;
  if (ap.length !== 32 || bp.length !== 32 || am.length !== 32 || bm.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (ap[i] !== bp[i] || am[i] !== bm[i]) return false;
  return true;
}

/**
 * headerHash of `h` without hashing it when `known` is the same header
 * (compared field by field: sameHeader) and `known.hash` is the hash this node
 * computed of it (a header entry's, from the headers message): a block whose
 * header came first in headers-first sync is not hashed twice. Any other
 * header, or a null `known`, is hashed. Either way later calls hit the memo.
 */
export function headerHashFrom(h: BlockHeader, known: { hash: Uint8Array; header: BlockHeader } | null | undefined): Uint8Array {
  if (!known || !sameHeader(known.header, h)) return headerHash(h);
  const m = memo.get(h);
  if (m && sameAsHashed(m, h)) return m.prevMerkleHash.slice(64);
  return remember(h, known.hash.slice());
}

function remember(h: BlockHeader, hash: Uint8Array): Uint8Array {
  const kept = new Uint8Array(96);
  kept.set(h.prevHash);
  kept.set(h.merkleRoot, 32);
  kept.set(hash, 64);
  const old = memoRing[memoAt];
  if (old) memo.delete(old);
  memoRing[memoAt] = h;
  memoAt = (memoAt + 1) % MEMO_SIZE;
  memo.set(h, { version: h.version, time: h.time, bits: h.bits, nonce: h.nonce, prevMerkleHash: kept });
  return hash;
}
