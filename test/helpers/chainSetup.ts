// Opening chains for tests: on RocksDB in a temp dir (the default), or in memory.
import { Chain, ChainOptions } from '../../src/chain/chain.js';
import { REGTEST } from '../../src/core/params.js';
import { MemoryStore } from '../../src/storage/memoryStore.js';
import { RocksStore } from '../../src/storage/rocksStore.js';
import { NOW } from './chainFixtures.js';
import { tempDir } from './tempDir.js';

export interface OpenedChain {
  chain: Chain;
  dir: string | null;
  /** Closes the chain (idempotent) and removes its directory. */
  done: () => Promise<void>;
}

export async function rocksChain(tag: string, opts: ChainOptions = {}): Promise<OpenedChain> {
  const t = await tempDir(tag);
  const chain = await Chain.open(await RocksStore.open(t.dir), REGTEST, { now: NOW, ...opts });
  return { chain, dir: t.dir, done: async () => { await chain.close(); await t.cleanup(); } };
}

export async function memoryChain(opts: ChainOptions = {}): Promise<OpenedChain> {
  const chain = await Chain.open(new MemoryStore(), REGTEST, { now: NOW, ...opts });
  return { chain, dir: null, done: () => chain.close() };
}
