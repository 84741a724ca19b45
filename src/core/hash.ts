// SHA-256, double SHA-256 and HASH160 on hash-wasm hashers created once at load.
// Single-message hashing is synchronous after the top-level await, so the pure
// consensus code can call it without becoming async.
import { createRIPEMD160, createSHA256 } from 'hash-wasm';

const sha = await createSHA256();
const ripemd = await createRIPEMD160();

export function sha256(data: Uint8Array): Uint8Array {
  sha.init();
  sha.update(data);
  return sha.digest('binary');
}

export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

export function ripemd160(data: Uint8Array): Uint8Array {
  ripemd.init();
  ripemd.update(data);
  return ripemd.digest('binary');
}

export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}
