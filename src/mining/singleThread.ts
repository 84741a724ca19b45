// Nonce search on the calling thread, for nodes mining with one thread: the
// range is hashed in chunks with a turn of the event loop between them, so
// the node keeps serving peers while it mines.
import { checkChunk, searchRange, type NonceSearcher, type SearchResult } from '../wasm/nonceSearch.js';
import { PowKernel } from '../wasm/pow.js';

const DEFAULT_CHUNK = 1 << 16;

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
