// secp256k1 keys and ECDSA. @noble/secp256k1 makes keys and signs (it is the
// reference); libsecp256k1 verifies on the hot path: the native addon where it
// loads and passes a self-check, else the WASM build (tiny-secp256k1).
// PUBCHAIN_VERIFIER=wasm or =native forces one. Both sign and verify work on
// our own 32-byte sighash, so prehashing is off.
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import * as tiny from 'tiny-secp256k1';
import { PubchainError, UsageError } from '../core/errors.js';
import { hash160 } from '../core/hash.js';
import { CURVE_N, type SigVerifier } from '../core/validate.js';
import { nativeLoadError, verifyNativeOrNull } from './nativeSecp256k1.js';

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

/** libsecp256k1 in WASM; it rejects high-S itself in strict mode; any malformed key or signature is just "invalid". */
export const verifyWasm: SigVerifier = (msg, signature, pubKey) => {
  try {
    return tiny.verify(msg, pubKey, signature, true);
  } catch {
    return false;
  }
};


export type VerifierBackend = 'native' | 'wasm';

/** The addon must answer a known valid, a corrupted and a high-S signature as the WASM build does before it is trusted. */
function nativeSelfCheck(verify: SigVerifier): string | null {
  const priv = new Uint8Array(32).fill(7);
  const pub = publicKeyOf(priv);
  const msg = new Uint8Array(32).fill(3);
  const sig = signHash(msg, priv);
  const corrupted = Uint8Array.from(sig); corrupted[10]! ^= 1;
  // (r, n - s) is the same signature with high S: valid maths, refused by the low-S rule.
  const highS = Uint8Array.from(sig);
  const n = BigInt(`0x${Buffer.from(CURVE_N).toString('hex')}`);
  const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString('hex')}`);
  highS.set(Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'), 32);
  for (const [name, m, g, want] of [['valid', msg, sig, true], ['corrupted', msg, corrupted, false], ['high-S', msg, highS, false]] as const) {
    if (verify(m, g, pub) !== want || verifyWasm(m, g, pub) !== want) return `the native addon answered a ${name} signature wrongly`;
  }
  return null;
}

let nativeChecked: { verify: SigVerifier | null; error: string | null } | null = null;

/** The native verifier, or null with the reason (not loadable here, or failed its self-check). */
export function nativeVerifier(): { verify: SigVerifier | null; error: string | null } {
  if (!nativeChecked) {
    const v = verifyNativeOrNull;
    const error = v ? nativeSelfCheck(v) : nativeLoadError;
    nativeChecked = { verify: error ? null : v, error };
  }
  return nativeChecked;
}

/** Which libsecp256k1 build verifies: PUBCHAIN_VERIFIER (native, wasm, auto), else native when it is usable. */
export function verifierBackend(): VerifierBackend {
  const forced = process.env.PUBCHAIN_VERIFIER;
  if (forced === 'wasm') return 'wasm';
  if (forced === 'native') {
    const { error } = nativeVerifier();
    if (error) throw new PubchainError('verifier-unavailable', `PUBCHAIN_VERIFIER=native, but the native libsecp256k1 addon is not usable: ${error}`);
    return 'native';
  }
  if (forced !== undefined && forced !== '' && forced !== 'auto') throw new UsageError(`PUBCHAIN_VERIFIER must be native, wasm or auto, got ${forced}`);
  return nativeVerifier().verify ? 'native' : 'wasm';
}

export function verifierFor(backend: VerifierBackend): SigVerifier {
  if (backend === 'wasm') return verifyWasm;
  const { verify, error } = nativeVerifier();
  if (!verify) throw new PubchainError('verifier-unavailable', `the native libsecp256k1 addon is not usable: ${error}`);
  return verify;
}

let active: SigVerifier | null = null;

/** The hot-path verifier (see verifierBackend), chosen on first use. */
export const verifyFast: SigVerifier = (msg, signature, pubKey) => (active ??= verifierFor(verifierBackend()))(msg, signature, pubKey);
