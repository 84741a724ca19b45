// Nonce search on the calling thread, for nodes mining with one thread: the
// range is hashed in chunks with a turn of the event loop between them, so
// the node keeps serving peers while it mines.
import { PowKernel } from '../wasm/pow.js';
import type { NonceSearcher, SearchOptions, SearchResult } from './pool.js';

export const NONCE_SPACE = 0x1_0000_0000;
const DEFAULT_CHUNK = 1 << 16;

export interface NonceRange { start: number; count: number }

/** Validates a search's inputs; the default range is the rest of the 32-bit space. */
export function searchRange(header80: Uint8Array, targetLE: Uint8Array, opts: SearchOptions): NonceRange {
  if (header80.length !== 80) throw new RangeError(`header must be 80 bytes, got ${header80.length}`);
  if (targetLE.length !== 32) throw new RangeError(`target must be 32 bytes, got ${targetLE.length}`);
  const start = opts.startNonce ?? 0;
  if (!Number.isInteger(start) || start < 0 || start >= NONCE_SPACE) throw new RangeError(`bad start nonce ${start}`);
  const count = opts.count ?? NONCE_SPACE - start;
  if (!Number.isInteger(count) || count < 0 || start + count > NONCE_SPACE) throw new RangeError(`bad nonce count ${count} from ${start}`);
  return { start, count };
}

export function checkChunk(chunk: number): number {
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunk must be a positive integer, got ${chunk}`);
  return chunk;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createSingleThreadSearcher(opts: { chunk?: number } = {}): NonceSearcher {
  const chunk = checkChunk(opts.chunk ?? DEFAULT_CHUNK);
  const kernel = new PowKernel();
  let closed = false;
  return {
    threads: 1,
    async search(header80, targetLE, o = {}): Promise<SearchResult> {
      if (closed) throw new Error('nonce searcher is closed');
      const { start, count } = searchRange(header80, targetLE, o);
      // Copies: the caller may reuse its buffers while we yield.
      const header = Uint8Array.from(header80), target = Uint8Array.from(targetLE);
      let hashes = 0;
      for (let done = 0; done < count;) {
        if (o.signal?.aborted || closed) return { nonce: null, hashes };
        const n = Math.min(chunk, count - done);
        const r = kernel.search(header, target, start + done, n);
        hashes += r.hashes;
        if (r.nonce !== null) return { nonce: r.nonce, hashes };
        done += n;
        await yieldToEventLoop();
      }
      return { nonce: null, hashes };
    },
    async close() {
      closed = true;
    },
  };
}
