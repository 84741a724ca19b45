// A store whose failed writes are reported once, to whoever must stop the
// process (the light node's owner): a write that did not happen leaves memory
// ahead of the disk, so nothing more may be applied. Reads and the rest pass
// through untouched; the failed call still rejects for its caller.
import type { BatchOp, KeyValueStore, RangeOptions } from './kvStore.js';

export function watchWrites(store: KeyValueStore, onFailure: (err: Error) => void): KeyValueStore {
  let reported = false;
  const failed = (err: unknown): never => {
    if (!reported) { reported = true; onFailure(err as Error); }
    throw err;
  };
  return {
    get: (key: Uint8Array) => store.get(key),
    getMany: (keys: Uint8Array[]) => store.getMany(keys),
    put: (key: Uint8Array, value: Uint8Array) => store.put(key, value).catch(failed),
    write: (ops: BatchOp[]) => store.write(ops).catch(failed),
    iterate: (range: RangeOptions) => store.iterate(range),
    close: () => store.close(),
  };
}
