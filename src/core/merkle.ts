// Merkle root, Bitcoin's rule: pair hashes with SHA256d; on an odd level the
// last hash is paired with itself. This is the plain reference; the WASM
// kernel (src/wasm) computes the same function level by level.
import { concatBytes } from './bytes.js';
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

/**
 * Duplicating the last hash lets [a,b,c] and [a,b,c,c] share a root
 * (CVE-2012-2459). Rejecting any repeated txid closes that hole, because a
 * valid block can never hold the same transaction twice.
 */
export function hasDuplicateLeaves(leaves: Uint8Array[]): boolean {
  const seen = new Set<string>();
  for (const l of leaves) {
    const k = Buffer.from(l.buffer, l.byteOffset, l.byteLength).toString('latin1');
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}
