// SipHash-2-4 (Aumasson and Bernstein), as BIP158 keys it: a 128-bit key read
// as two little-endian u64 words. The rounds are the `siphash` package's; this
// file only turns bytes into its key words and its result into a bigint.
import siphashLib from 'siphash';

export type SipKey = readonly [number, number, number, number];

/** The key of 16 bytes (for BIP158, the first 16 bytes of the block hash). */
export function sipKey(bytes: Uint8Array): SipKey {
  if (bytes.length < 16) throw new RangeError(`a SipHash key needs 16 bytes, got ${bytes.length}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return [v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true), v.getUint32(12, true)];
}

/** The 64-bit hash as its high and low u32 halves. */
export function siphash24Halves(key: SipKey, message: Uint8Array): { hi: number; lo: number } {
  const r = siphashLib.hash(key, message);
  return { hi: r.h >>> 0, lo: r.l >>> 0 };
}

export function siphash24(key: SipKey, message: Uint8Array): bigint {
  const { hi, lo } = siphash24Halves(key, message);
  return (BigInt(hi) << 32n) | BigInt(lo);
}
