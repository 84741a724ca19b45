// Merkle root, Bitcoin's rule: pair hashes with SHA256d; on an odd level the
// last hash is paired with itself. This is the plain reference; the WASM
// kernel (src/wasm) computes the same function level by level.
import { bytesKey, concatBytes } from './bytes.js';
import { sha256d } from './hash.js';

export type MerkleRootFn = (leaves: Uint8Array[]) => Uint8Array;

export const merkleRootJs: MerkleRootFn = (leaves) => {
  if (leaves.length === 0) throw new RangeError('a Merkle tree needs at least one leaf');
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256d(concatBytes(left, right)));
    }
    level = next;
  }
  return level[0]!;
};

/** A per-process secret, so peers cannot choose txids that crowd one slot of the table below. */
const SEED = (Math.random() * 0x100000000) >>> 0;
/** Reused between calls (the check is synchronous): grows to the largest block seen, never shrinks. */
let table = new Int32Array(0);

/** A slot from the leaf's first eight bytes (a txid's are uniform), mixed with the seed. */
function slotOf(l: Uint8Array): number {
  let h = SEED;
  for (let i = 0; i < l.length && i < 8; i++) h = Math.imul(h ^ l[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Duplicating the last hash lets [a,b,c] and [a,b,c,c] share a root
 * (CVE-2012-2459). Rejecting any repeated txid closes that hole, because a
 * valid block can never hold the same transaction twice. An open-addressed
 * table of leaf indices, compared byte by byte on a shared slot: no key is
 * built per txid.
 */
export function hasDuplicateLeaves(leaves: Uint8Array[]): boolean {
  const n = leaves.length;
  if (n < 2) return false;
  let size = 16;
  while (size < 2 * n) size *= 2;
  if (table.length < size) table = new Int32Array(size);
  else table.fill(0, 0, size);
  const mask = size - 1;
  for (let i = 0; i < n; i++) {
    const l = leaves[i]!;
    let slot = slotOf(l) & mask;
    for (let j = table[slot]!; j !== 0; j = table[slot]!) {
      if (sameBytes(leaves[j - 1]!, l)) return true;
      slot = (slot + 1) & mask;
    }
    table[slot] = i + 1;
  }
  return false;
}
