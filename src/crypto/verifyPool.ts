// Batched signature verification on piscina workers running libsecp256k1
// (native or WASM, see keys.ts). A batch is split into chunks; batches below
// `minBatch` stay on the calling thread, where a round trip to a worker would
// cost more than the verification. Chunks wait in two queues, block and
// mempool, and a worker that frees up takes a block chunk first, so a block's
// batch overtakes mempool work that is still queued (it waits at most for the
// chunks already handed to workers). With 0 threads this is the main-thread
// twin, createInlineVerifier (verifier.ts). Both verify exactly as
// `verifierFor(backend)`.
import { Piscina } from 'piscina';
import type { SigCheck } from '../core/validate.js';
import { verifierBackend, verifierFor, type VerifierBackend } from './keys.js';
import { isPackable, packChecks } from './sigPacking.js';
import {
  badSignature, closedError, createInlineVerifier, firstFailure, verifyAll,
  type SignatureVerifier, type VerifyOptions, type VerifyPriority,
} from './verifier.js';
import type { VerifyTask } from './verifyWorker.js';

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
// queue, so a batch does not wait for its slowest part. Mempool batches are
// cut finer than the in-flight limit below, so part of one is always still
// queued and a block's batch can overtake it. A block batch need not be
// overtaken, and each chunk costs the calling thread ~0.13 ms (packing,
// posting, the reply): with 2 workers, a 1,000-check block in four chunks
// took 0.97 ms of the main thread against 1.5 ms in eight, at the same wall
// time (interleaved runs, n = 4).
const CHUNKS_PER_THREAD: Record<VerifyPriority, number> = { block: 2, mempool: 4 };
// Chunks handed to piscina per worker: one running and one waiting keeps a
// worker busy across the round trip; any more would sit in piscina's queue,
// where a block chunk could no longer overtake them.
const IN_FLIGHT_PER_THREAD = 2;

interface Chunk {
  buffer: ArrayBuffer;
  resolve: (bad: number) => void;
  reject: (err: unknown) => void;
}

export function createVerifyPool(opts: VerifyPoolOptions): SignatureVerifier {
  const threads = Math.floor(opts.threads);
  if (!(threads >= 0)) throw new RangeError(`threads must be a non-negative integer, got ${opts.threads}`);
  const backend = opts.backend ?? verifierBackend();
  if (threads === 0) return createInlineVerifier(backend);
  const verifySig = verifierFor(backend);
  const minBatch = Math.max(1, opts.minBatch ?? DEFAULT_MIN_BATCH);
  const pool = new Piscina<VerifyTask, number>({
    filename: new URL('./verifyWorkerEntry.cjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    workerData: { backend },
  });
  const queues: Record<VerifyPriority, Chunk[]> = { block: [], mempool: [] };
  const maxInFlight = threads * IN_FLIGHT_PER_THREAD;
  let inFlight = 0;
  let closed = false;
  let drained: (() => void) | null = null;

  const pump = (): void => {
    while (inFlight < maxInFlight) {
      const chunk = queues.block.shift() ?? queues.mempool.shift();
      if (!chunk) break;
      inFlight++;
      pool.run({ buffer: chunk.buffer }, { transferList: [chunk.buffer] }).then(chunk.resolve, chunk.reject).finally(() => {
        inFlight--;
        pump();
      });
    }
    if (inFlight === 0) drained?.();
  };

  const runChunk = (buffer: ArrayBuffer, priority: VerifyPriority): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      queues[priority].push({ buffer, resolve, reject });
      pump();
    });

  const verify = async (checks: SigCheck[], o: VerifyOptions = {}): Promise<void> => {
    if (closed) throw closedError();
    if (checks.length < minBatch) return verifyAll(verifySig, checks);
    const priority = o.priority ?? 'block';
    // Odd-shaped checks (wrong lengths, uncompressed keys) are rare and almost
    // always invalid; verifying them here keeps the record layout fixed.
    const packable: number[] = [];
    const odd: number[] = [];
    checks.forEach((c, i) => (isPackable(c) ? packable : odd).push(i));
    const oddFailure = firstFailure(verifySig, checks, odd);
    const chunks = Math.max(1, Math.min(threads * CHUNKS_PER_THREAD[priority], Math.ceil(packable.length / minBatch)));
    const size = Math.max(1, Math.ceil(packable.length / chunks));
    const runs: Array<Promise<number>> = [];
    for (let start = 0; start < packable.length; start += size) {
      const indexes = packable.slice(start, start + size);
      const buffer = packChecks(indexes.map((i) => checks[i]!));
      runs.push(runChunk(buffer, priority).then((bad) => (bad < 0 ? -1 : indexes[bad]!)));
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
      // Batches already accepted finish: their queued chunks still run.
      if (inFlight > 0) await new Promise<void>((resolve) => { drained = resolve; });
      await pool.close();
    },
  };
}
