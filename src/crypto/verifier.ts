// The one shape of batched signature verification, as lodestar's IBlsVerifier:
// the worker pool (verifyPool.ts) and its main-thread twin here implement
// SignatureVerifier; the chain, the mempool and the signature cache take its
// `verify` function, SigBatchVerifier. A batch either passes whole or throws
// ValidationError('bad-signature') naming the lowest failing check.
import { ValidationError } from '../core/errors.js';
import type { SigCheck, SigVerifier } from '../core/validate.js';
import { verifierBackend, verifierFor, type VerifierBackend } from './keys.js';

/** A block's signatures go ahead of the mempool's: a block holds up the chain, a relayed transaction only itself. */
export type VerifyPriority = 'block' | 'mempool';

export interface VerifyOptions {
  /** Default 'block'. */
  priority?: VerifyPriority;
}

/** Throws ValidationError('bad-signature') when any check fails. */
export type SigBatchVerifier = (checks: SigCheck[], opts?: VerifyOptions) => Promise<void> | void;

export interface SignatureVerifier {
  /** Safe to pass around detached from the verifier object. */
  readonly verify: (checks: SigCheck[], opts?: VerifyOptions) => Promise<void>;
  close(): Promise<void>;
  /** Worker threads behind `verify`; 0 for the main-thread verifier. */
  readonly threads: number;
  /** Which libsecp256k1 build verifies. */
  readonly backend: VerifierBackend;
}

export function badSignature(index: number): never {
  throw new ValidationError('bad-signature', `signature check ${index} of the batch does not verify`, 100, { index });
}

/** The first of `indexes` whose check fails, or -1. */
export function firstFailure(verify: SigVerifier, checks: readonly SigCheck[], indexes: readonly number[]): number {
  for (const i of indexes) {
    const c = checks[i]!;
    if (!verify(c.msg, c.signature, c.pubKey)) return i;
  }
  return -1;
}

export function verifyAll(verify: SigVerifier, checks: readonly SigCheck[]): void {
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    if (!verify(c.msg, c.signature, c.pubKey)) badSignature(i);
  }
}

export function closedError(): Error {
  return new Error('signature verifier is closed');
}

/** The main-thread twin of the pool: verifies in call order (a priority has nothing to overtake). */
export function createInlineVerifier(backend: VerifierBackend = verifierBackend()): SignatureVerifier {
  const verifySig = verifierFor(backend);
  let closed = false;
  return {
    threads: 0,
    backend,
    verify: async (checks) => {
      if (closed) throw closedError();
      verifyAll(verifySig, checks);
    },
    close: async () => { closed = true; },
  };
}
