// libsecp256k1 as a native addon (the `secp256k1` package's prebuilt binary):
// about 3× the WASM build per core, because native code multiplies 64-bit
// limbs where WASM has only 32-bit products. It is optional: on a platform
// with no prebuilt binary the addon does not load, and the WASM build
// (tiny-secp256k1) verifies instead. We load `bindings.js` and never the
// package's main entry, which would quietly fall back to pure-JS elliptic.
import { createRequire } from 'node:module';
import type { SigVerifier } from '../core/validate.js';

interface NativeSecp256k1 {
  ecdsaVerify(signature: Uint8Array, msg32: Uint8Array, pubKey: Uint8Array): boolean;
}

function load(): { lib: NativeSecp256k1 | null; error: string | null } {
  try {
    const lib = createRequire(import.meta.url)('secp256k1/bindings.js') as NativeSecp256k1;
    return { lib, error: null };
  } catch (e) {
    return { lib: null, error: (e as Error).message.split('\n')[0] ?? 'unknown error' };
  }
}

const loaded = load();

/** Why the addon is not available (null when it is). */
export const nativeLoadError: string | null = loaded.error;

/**
 * Null when the addon did not load. libsecp256k1's verify refuses high-S
 * signatures, as the WASM build does in strict mode; the package throws on
 * wrong lengths and unparsable keys or signatures, which is just "invalid".
 */
export const verifyNativeOrNull: SigVerifier | null = loaded.lib
  ? ((lib: NativeSecp256k1): SigVerifier => (msg, signature, pubKey) => {
      try {
        return lib.ecdsaVerify(signature, msg, pubKey);
      } catch {
        return false;
      }
    })(loaded.lib)
  : null;
