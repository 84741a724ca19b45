// Wraps a batch verifier with the signature cache: only checks not seen
// before reach the inner verifier. What the mempool verifies enters the cache,
// once the inner verifier accepted the whole batch (a failing batch adds
// nothing, so a bad signature is never remembered as good). What a block
// verifies does not: its transactions are now spent history and their
// signatures will not be asked for again, and filling the cache with them
// during sync would evict the mempool's entries that the next blocks hit
// (as Bitcoin Core does). A block's lookups still hit what the mempool put
// there.
import type { SigCheck } from '../core/validate.js';
import { SigCache, sigCacheKey } from './sigCache.js';
import type { SigBatchVerifier, VerifyOptions } from './verifier.js';

export function cachedVerifier(inner: SigBatchVerifier, cache: SigCache): (checks: SigCheck[], opts?: VerifyOptions) => Promise<void> {
  return async (checks, opts) => {
    const store = opts?.priority === 'mempool';
    const missKeys: string[] = [];
    const misses: SigCheck[] = [];
    for (const c of checks) {
      const key = sigCacheKey(c);
      if (cache.has(key)) continue;
      if (store) missKeys.push(key);
      misses.push(c);
    }
    if (misses.length === 0) return;
    await inner(misses, opts);
    for (const key of missKeys) cache.add(key);
  };
}
