// The header chain a stopped light node left on disk (<datadir>/spv), for a
// command that runs without the node: `pubchain verifytxoutproof` on a light
// wallet's data directory checks proofs against these headers.
import fs from 'node:fs';
import path from 'node:path';
import type { NetworkParams } from '../../core/params.js';
import { PubchainError } from '../../core/errors.js';
import { RocksStore } from '../../storage/rocksStore.js';
import { LightHeaders } from './lightHeaders.js';
import { LightStore } from './lightStore.js';

/** Where a light node keeps its database. */
export const lightDbDir = (datadir: string): string => path.join(datadir, 'spv');

/** Whether the data directory is a light wallet's (it has a light database and no chain of its own). */
export const isLightDatadir = (datadir: string): boolean =>
  fs.existsSync(lightDbDir(datadir)) && !fs.existsSync(path.join(datadir, 'chain'));

/** Opens the stored header chain; `job` reads it, then the database is closed. */
export async function withStoredHeaders<T>(datadir: string, params: NetworkParams, job: (headers: LightHeaders) => Promise<T>): Promise<T> {
  const kv = await RocksStore.open(lightDbDir(datadir));
  try {
    const store = new LightStore(kv);
    const g = await store.genesis();
    if (!g) throw new PubchainError('no-chain', `the light wallet in ${datadir} has no headers yet: start it (startnode --spv) to sync them`);
    if (g.network !== params.name) throw new PubchainError('wrong-network', `${lightDbDir(datadir)} holds a ${g.network} light chain, not ${params.name}`);
    const headers = new LightHeaders({ params, genesis: g.header, store });
    await headers.open();
    return await job(headers);
  } finally {
    await kv.close();
  }
}
