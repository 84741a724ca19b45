// Wraps a batch verifier with the signature cache: only checks not seen
// before reach the inner verifier, and they enter the cache only after it
// accepted the whole batch. A failing batch adds nothing, so a bad signature
// is never remembered as good.
import type { SigCheck } from '../core/validate.js';
import { SigCache, sigCacheKey } from './sigCache.js';
import type { SigBatchVerifier, VerifyOptions } from './verifier.js';

export function cachedVerifier(inner: SigBatchVerifier, cache: SigCache): (checks: SigCheck[], opts?: VerifyOptions) => Promise<void> {
  return async (checks, opts) => {
    const missKeys: string[] = [];
    const misses: SigCheck[] = [];
    for (const c of checks) {
      const key = sigCacheKey(c);
      if (cache.has(key)) continue;
      missKeys.push(key);
      misses.push(c);
    }
    if (misses.length === 0) return;
    await inner(misses, opts);
    for (const key of missKeys) cache.add(key);
  };
}
