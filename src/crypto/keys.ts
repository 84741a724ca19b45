// secp256k1 keys and ECDSA. @noble/secp256k1 makes keys and signs (it is the
// reference); tiny-secp256k1 (libsecp256k1 in WASM) verifies on the hot path.
// Both sign and verify work on our own 32-byte sighash, so prehashing is off.
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import * as tiny from 'tiny-secp256k1';
import { hash160 } from '../core/hash.js';
import type { SigVerifier } from '../core/validate.js';

secp.hashes.sha256 = nobleSha256;
secp.hashes.hmacSha256 = (key: Uint8Array, msg: Uint8Array) => hmac(nobleSha256, key, msg);

export function newPrivateKey(): Uint8Array {
  return secp.utils.randomSecretKey();
}

export function isPrivateKey(key: Uint8Array): boolean {
  return key.length === 32 && tiny.isPrivate(key);
}

export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return secp.getPublicKey(privateKey, true);
}

export function pubKeyHashOf(pubKey: Uint8Array): Uint8Array {
  return hash160(pubKey);
}

/** RFC 6979 deterministic, low-S, 64-byte compact (r || s). */
export function signHash(msg32: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return secp.sign(msg32, privateKey, { prehash: false, lowS: true, format: 'compact' });
}

export const verifyNoble: SigVerifier = (msg, signature, pubKey) => {
  // noble would truncate a longer message to 256 bits; a sighash is exactly 32 bytes.
  if (msg.length !== 32) return false;
  try {
    return secp.verify(signature, msg, pubKey, { prehash: false, lowS: true, format: 'compact' });
  } catch {
    return false;
  }
};

/** libsecp256k1 rejects high-S itself in strict mode; any malformed key or signature is just "invalid". */
export const verifyFast: SigVerifier = (msg, signature, pubKey) => {
  try {
    return tiny.verify(msg, pubKey, signature, true);
  } catch {
    return false;
  }
};
