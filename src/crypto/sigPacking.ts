// The wire layout of a batch sent to a verify worker: one ArrayBuffer of
// fixed-size records (msg 32 || signature 64 || pubKey 33), so a batch of
// thousands of checks crosses the thread boundary as a single transfer instead
// of thousands of structured-cloned objects.
import type { SigCheck } from '../core/validate.js';

export const MSG_BYTES = 32;
export const SIG_BYTES = 64;
export const PUBKEY_BYTES = 33;
export const RECORD_BYTES = MSG_BYTES + SIG_BYTES + PUBKEY_BYTES;

/** Only checks of this shape fit a record; anything else is verified where it is, never truncated. */
export function isPackable(c: SigCheck): boolean {
  return c.msg.length === MSG_BYTES && c.signature.length === SIG_BYTES && c.pubKey.length === PUBKEY_BYTES;
}

export function packChecks(checks: readonly SigCheck[]): ArrayBuffer {
  const bytes = new Uint8Array(checks.length * RECORD_BYTES);
  let o = 0;
  for (const c of checks) {
    bytes.set(c.msg, o);
    bytes.set(c.signature, o + MSG_BYTES);
    bytes.set(c.pubKey, o + MSG_BYTES + SIG_BYTES);
    o += RECORD_BYTES;
  }
  return bytes.buffer;
}

/** Views into the packed buffer (no copies): record `i` of `buffer`. */
export function recordAt(bytes: Uint8Array, i: number): SigCheck {
  const o = i * RECORD_BYTES;
  return {
    msg: bytes.subarray(o, o + MSG_BYTES),
    signature: bytes.subarray(o + MSG_BYTES, o + MSG_BYTES + SIG_BYTES),
    pubKey: bytes.subarray(o + MSG_BYTES + SIG_BYTES, o + RECORD_BYTES),
  };
}
