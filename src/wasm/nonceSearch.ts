// The nonce search contract, written once: the 32-bit nonce space, the checks
// on a search's inputs, and the searcher shape that the WASM kernel
// (wasm/pow.ts), the single-thread searcher and the worker pool
// (mining/singleThread.ts, mining/noncePool.ts) all answer to. It sits in the
// wasm layer because the kernel checks its own inputs; mining imports it.

/** Nonces are u32: one header has 2^32 of them. */
export const NONCE_SPACE = 0x1_0000_0000;

export interface SearchResult {
  /** First nonce in the range whose header hash meets the target, or null (none, or the search stopped). */
  nonce: number | null;
  /** Nonces hashed: up to and including the found one, else every one tried. */
  hashes: number;
}

export interface SearchOptions { signal?: AbortSignal; startNonce?: number; count?: number }

export interface NonceSearcher {
  readonly threads: number;
  /** Searches nonces [startNonce ?? 0, startNonce+count) (default: the rest of the 2^32 space). null nonce = none found or aborted. */
  search(header80: Uint8Array, targetLE: Uint8Array, opts?: SearchOptions): Promise<SearchResult>;
  close(): Promise<void>;
}

export interface NonceRange { start: number; count: number }

/** Throws a RangeError unless the header is 80 bytes, the target 32 and the range inside the nonce space. */
export function checkSearch(header80: Uint8Array, targetLE: Uint8Array, start: number, count: number): void {
  if (header80.length !== 80) throw new RangeError(`header must be 80 bytes, got ${header80.length}`);
  if (targetLE.length !== 32) throw new RangeError(`target must be 32 bytes, got ${targetLE.length}`);
  if (!Number.isInteger(start) || start < 0 || start >= NONCE_SPACE) throw new RangeError(`bad start nonce ${start}`);
  if (!Number.isInteger(count) || count < 0 || start + count > NONCE_SPACE) throw new RangeError(`bad nonce count ${count} from ${start}`);
}

/** Validates a search's inputs; the default range is the rest of the 32-bit space. */
export function searchRange(header80: Uint8Array, targetLE: Uint8Array, opts: SearchOptions): NonceRange {
  const start = opts.startNonce ?? 0;
  const count = opts.count ?? NONCE_SPACE - start;
  checkSearch(header80, targetLE, start, count);
  return { start, count };
}

/** Nonces hashed between two looks at the stop signal. */
export function checkChunk(chunk: number): number {
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunk must be a positive integer, got ${chunk}`);
  return chunk;
}
