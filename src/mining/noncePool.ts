// The nonce search pool: proof-of-work search on a fixed pool of worker
// threads (piscina). The main thread compiles the WASM kernel once and hands
// the module to every worker. A search runs one task per worker over a shared
// control block (see powWorker.ts): cancelling is a flag the workers read
// between chunks, so an abort, a found nonce or close() stops every worker
// within one chunk, and no thread is terminated to cancel. Each search has its
// own control block, so searches never see each other's stop state.
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { compileKernel } from '../wasm/loader.js';
import { checkChunk, searchRange, type NonceSearcher, type SearchResult } from '../wasm/nonceSearch.js';
import { CTL_STOP, newControl, PowTask, PowWorkerData } from './powWorker.js';

/** About 40 ms of hashing per chunk on one core: the bound on how late a worker sees a stop. */
const DEFAULT_CHUNK = 1 << 18;
/** Chunk indexes live in an Int32 slot, with headroom for one over-claim per worker. */
const MAX_CHUNKS = 1 << 30;

const workerFile = fileURLToPath(new URL('./powWorker.js', import.meta.url));

export function createPoolSearcher(opts: { threads: number; chunk?: number }): NonceSearcher {
  const { threads } = opts;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const chunkOpt = checkChunk(opts.chunk ?? DEFAULT_CHUNK);
  const { module, kind } = compileKernel('pow');
  const workerData: PowWorkerData = { module, kind };
  const pool = new Piscina<PowTask, SearchResult>({
    filename: workerFile,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData,
  });
  // Control blocks and completions of searches in flight: close() stops them
  // and lets them finish, since closing the pool under a running task kills it.
  const active = new Map<Int32Array, Promise<unknown>>();
  let closed = false;

  return {
    threads,
    async search(header80, targetLE, o = {}): Promise<SearchResult> {
      if (closed) throw new Error('nonce searcher is closed');
      const { start, count } = searchRange(header80, targetLE, o);
      if (count === 0 || o.signal?.aborted) return { nonce: null, hashes: 0 };
      const chunk = Math.max(chunkOpt, Math.ceil(count / MAX_CHUNKS));
      const control = newControl();
      const stop = (): void => { Atomics.store(control, CTL_STOP, 1); };
      o.signal?.addEventListener('abort', stop, { once: true });
      // Copies: cloning a view posts its whole underlying buffer.
      const task: PowTask = { control: control.buffer as SharedArrayBuffer, header: Uint8Array.from(header80), target: Uint8Array.from(targetLE), start, count, chunk };
      try {
        // Fewer tasks than threads for short ranges: a task with no chunk left returns at once anyway.
        const tasks = Math.min(threads, Math.ceil(count / chunk));
        // A failed task stops the others; the search settles only when every task has.
        const runs = Array.from({ length: tasks }, () => pool.run(task).catch((err: unknown) => { stop(); throw err; }));
        const settled = Promise.allSettled(runs);
        active.set(control, settled);
        const outcomes = await settled;
        const results: SearchResult[] = [];
        for (const o of outcomes) {
          if (o.status === 'rejected') throw o.reason;
          results.push(o.value);
        }
        let nonce: number | null = null;
        let hashes = 0;
        for (const r of results) {
          hashes += r.hashes;
          if (r.nonce !== null && (nonce === null || r.nonce < nonce)) nonce = r.nonce;
        }
        return { nonce, hashes };
      } finally {
        o.signal?.removeEventListener('abort', stop);
        active.delete(control);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const control of active.keys()) Atomics.store(control, CTL_STOP, 1);
      await Promise.all(active.values());
      await pool.close();
    },
  };
}
