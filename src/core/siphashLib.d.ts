// The part of the `siphash` package (CommonJS, no types) that src/core/siphash.ts uses.
declare module 'siphash' {
  /** SipHash-2-4 of `message` under `key` (four u32 words, little-endian order); the 64-bit result as two u32 halves. */
  export function hash(key: ArrayLike<number>, message: Uint8Array): { h: number; l: number };
}
