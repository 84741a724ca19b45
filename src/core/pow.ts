// Proof-of-work arithmetic: compact `bits`, targets, chain work.
// A hash meets a target when, read as a little-endian 256-bit integer, it is <= target.
import { ValidationError } from './errors.js';

const TWO_256 = 1n << 256n;

/** Decodes Bitcoin's compact form; negative or overflowing encodings are rejected, not clamped. */
export function bitsToTarget(bits: number): bigint {
  const exponent = bits >>> 24;
  const mantissa = bits & 0x007fffff;
  if ((bits & 0x00800000) !== 0 && mantissa !== 0) throw new ValidationError('bad-diffbits', `bits 0x${hex8(bits)} encode a negative target`, 100);
  const target = exponent <= 3 ? BigInt(mantissa >>> (8 * (3 - exponent))) : BigInt(mantissa) << BigInt(8 * (exponent - 3));
  if (target >= TWO_256) throw new ValidationError('bad-diffbits', `bits 0x${hex8(bits)} overflow 256 bits`, 100);
  return target;
}

export function targetToBits(target: bigint): number {
  if (target < 0n || target >= TWO_256) throw new RangeError('target out of range');
  let size = 0;
  for (let t = target; t > 0n; t >>= 8n) size++;
  let mantissa = size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  // The top mantissa bit is a sign flag, so shift one byte further when it would be set.
  if (mantissa & 0x00800000) { mantissa >>>= 8; size++; }
  return ((size << 24) | mantissa) >>> 0;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

export function hashToBigInt(hash: Uint8Array): bigint {
  if (hash.length === 32) {
    // Four 64-bit words instead of 32 byte steps: every header and block hash goes through here.
    const d = new DataView(hash.buffer, hash.byteOffset, 32);
    return (d.getBigUint64(24, true) << 192n) | (d.getBigUint64(16, true) << 128n) | (d.getBigUint64(8, true) << 64n) | d.getBigUint64(0, true);
  }
  let v = 0n;
  for (let i = hash.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(hash[i]!);
  return v;
}

/** The 32-byte little-endian form that the WASM miner compares against. */
export function targetToBytesLE(target: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let t = target;
  for (let i = 0; i < 32; i++) { out[i] = Number(t & 0xffn); t >>= 8n; }
  return out;
}

export function hashMeetsTarget(hash: Uint8Array, target: bigint): boolean {
  return hashToBigInt(hash) <= target;
}

/** Expected number of hashes to find a block at this target: 2^256 / (target + 1). */
export function workFromBits(bits: number): bigint {
  // A chain keeps its bits for a whole retarget interval: the last answer is usually the next one.
  if (bits === lastWork.bits) return lastWork.work;
  const work = TWO_256 / (bitsToTarget(bits) + 1n);
  lastWork.bits = bits;
  lastWork.work = work;
  return work;
}
const lastWork = { bits: -1, work: 0n };

export function workToHex(work: bigint): string {
  return work.toString(16).padStart(64, '0');
}
