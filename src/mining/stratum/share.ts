// Stratum's difficulty unit and the share check. Difficulty 1 is the target
// 0xFFFF·2^208 (Bitcoin's "pool difficulty 1"); a share at difficulty d has a
// hash that, read as a 256-bit little-endian integer, is at most DIFF1 / d.
// The header is rebuilt from the job exactly as a miner builds it (docs/mining.md).
import { sha256d } from '../../core/hash.js';
import { serializeHeader, type BlockHeader } from '../../core/header.js';
import { hashToBigInt } from '../../core/pow.js';

export const DIFF1 = 0xffffn << 208n;
const MAX_TARGET = (1n << 256n) - 1n;
const SCALE = 2 ** 64;

/** The share target for a (possibly fractional) Stratum difficulty. */
export function targetForDifficulty(difficulty: number): bigint {
  if (!(difficulty > 0) || !Number.isFinite(difficulty)) throw new RangeError(`difficulty must be a positive number, not ${difficulty}`);
  const scaled = BigInt(Math.max(1, Math.round(difficulty * SCALE)));
  const t = (DIFF1 << 64n) / scaled;
  return t > MAX_TARGET ? MAX_TARGET : t;
}

/** The Stratum difficulty of a target (the block target gives the block's difficulty in Stratum units). */
export function difficultyForTarget(target: bigint): number {
  if (target <= 0n) return Infinity;
  // Enough precision for both tiny (regtest) and huge difficulties.
  return Number((DIFF1 << 64n) / target) / SCALE;
}

/** Expected hashes for one share at difficulty d: d · 2^256 / (DIFF1 + 1) ≈ d · 2^32. */
export function hashesPerShare(difficulty: number): number {
  return (difficulty * 2 ** 48) / 0xffff;
}

/** Reverses each 4-byte word in place: the header's parent hash to Stratum's prevhash, and back. */
export function swapWords(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) {
    out[i] = bytes[i + 3]!; out[i + 1] = bytes[i + 2]!; out[i + 2] = bytes[i + 1]!; out[i + 3] = bytes[i]!;
  }
  return out;
}

/** A u32 as Stratum sends it (version, nbits, ntime): 8 hex digits, big-endian. */
export function u32Hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** 8 hex digits back to the u32 (submitted ntime and nonce); null when malformed. */
export function parseU32Hex(s: unknown): number | null {
  if (typeof s !== 'string' || !/^[0-9a-fA-F]{8}$/.test(s)) return null;
  return parseInt(s, 16) >>> 0;
}

/** root = SHA256d(coinbase), then SHA256d(root ‖ b) for each branch entry (hash-output order). */
export function merkleRootFromBranch(coinbase: Uint8Array, branch: Uint8Array[]): Uint8Array {
  let root = sha256d(coinbase);
  const buf = new Uint8Array(64);
  for (const b of branch) {
    buf.set(root, 0);
    buf.set(b, 32);
    root = sha256d(buf);
  }
  return root;
}

export interface ShareResult {
  hash: Uint8Array;
  header: Uint8Array;
  /** The hash as a little-endian integer, for the share and block comparisons. */
  value: bigint;
}

/** The header a share describes, in core's canonical layout, and its hash. */
export function hashShare(h: BlockHeader): ShareResult {
  const header = serializeHeader(h);
  const hash = sha256d(header);
  return { hash, header, value: hashToBigInt(hash) };
}
