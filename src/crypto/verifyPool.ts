// Batched signature verification. A pool splits a batch across piscina
// workers running libsecp256k1 (native or WASM, see keys.ts); batches below `minBatch` stay on the
// calling thread, where a round trip to a worker would cost more than the
// verification. The inline twin does everything on the calling thread, for
// tests, tools and single-core machines. Both verify exactly as `verifierFor(backend)`.
import { Piscina } from 'piscina';
import { ValidationError } from '../core/errors.js';
import type { SigCheck, SigVerifier } from '../core/validate.js';
import { verifierBackend, verifierFor, type VerifierBackend } from './keys.js';
import { isPackable, packChecks } from './sigPacking.js';
import type { VerifyTask } from './verifyWorker.js';

/** Throws ValidationError('bad-signature') when any check fails. Same shape as the chain's SigBatchVerifier. */
export type BatchVerifier = (checks: SigCheck[]) => Promise<void> | void;

export interface VerifyPool {
  /** Safe to pass around detached from the pool object. */
  verify: (checks: SigCheck[]) => Promise<void>;
  close(): Promise<void>;
  /** Worker threads behind `verify`; 0 for the inline verifier. */
  readonly threads: number;
  /** Which libsecp256k1 build verifies. */
  readonly backend: VerifierBackend;
}

export interface VerifyPoolOptions {
  /** Worker threads. 0 gives the inline verifier. */
  threads: number;
  /** Batches smaller than this are verified on the calling thread. Default 16. */
  minBatch?: number;
  /** Default: verifierBackend() (native when it loads, unless PUBCHAIN_VERIFIER says otherwise). */
  backend?: VerifierBackend;
}

const DEFAULT_MIN_BATCH = 16;
// A few chunks per worker rather than one: a worker that finishes early (or
// whose core another process is using less) takes the next chunk off the
// queue, so a batch does not wait for its slowest quarter. A chunk of ~100
// checks is ~25 ms of work against well under 1 ms of messaging.
const CHUNKS_PER_THREAD = 4;

function badSignature(index: number): never {
  throw new ValidationError('bad-signature', `signature check ${index} of the batch does not verify`, 100, { index });
}

function firstFailure(verify: SigVerifier, checks: readonly SigCheck[], indexes: readonly number[]): number {
  for (const i of indexes) {
    const c = checks[i]!;
    if (!verify(c.msg, c.signature, c.pubKey)) return i;
  }
  return -1;
}

function verifyAll(verify: SigVerifier, checks: readonly SigCheck[]): void {
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    if (!verify(c.msg, c.signature, c.pubKey)) badSignature(i);
  }
}

function closedError(): Error {
  return new Error('signature verifier is closed');
}

export function createInlineVerifier(backend: VerifierBackend = verifierBackend()): VerifyPool {
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

export function createVerifyPool(opts: VerifyPoolOptions): VerifyPool {
  const threads = Math.floor(opts.threads);
  if (!(threads >= 0)) throw new RangeError(`threads must be a non-negative integer, got ${opts.threads}`);
  const backend = opts.backend ?? verifierBackend();
  if (threads === 0) return createInlineVerifier(backend);
  const verifySig = verifierFor(backend);
  const minBatch = Math.max(1, opts.minBatch ?? DEFAULT_MIN_BATCH);
  const pool = new Piscina<VerifyTask, number>({
    filename: new URL('./verifyWorker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    workerData: { backend },
  });
  let closed = false;

  const verify = async (checks: SigCheck[]): Promise<void> => {
    if (closed) throw closedError();
    if (checks.length < minBatch) return verifyAll(verifySig, checks);
    // Odd-shaped checks (wrong lengths, uncompressed keys) are rare and almost
    // always invalid; verifying them here keeps the record layout fixed.
    const packable: number[] = [];
    const odd: number[] = [];
    checks.forEach((c, i) => (isPackable(c) ? packable : odd).push(i));
    const oddFailure = firstFailure(verifySig, checks, odd);
    const chunks = Math.max(1, Math.min(threads * CHUNKS_PER_THREAD, Math.ceil(packable.length / minBatch)));
    const size = Math.max(1, Math.ceil(packable.length / chunks));
    const runs: Array<Promise<number>> = [];
    for (let start = 0; start < packable.length; start += size) {
      const indexes = packable.slice(start, start + size);
      const buffer = packChecks(indexes.map((i) => checks[i]!));
      runs.push(pool.run({ buffer }, { transferList: [buffer] }).then((bad) => (bad < 0 ? -1 : indexes[bad]!)));
    }
    // Every chunk is awaited, so the reported index is the lowest failing one whichever worker finished first.
    const failures = [oddFailure, ...(await Promise.all(runs))].filter((i) => i >= 0);
    if (failures.length > 0) badSignature(Math.min(...failures));
  };

  return {
    threads,
    backend,
    verify,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.close();
    },
  };
}
