// Which node a command acts on: NODE_ID (the tutorial's way) or --node-id
// picks it, --datadir overrides where its files live, --network its rules.
import { join, resolve } from 'node:path';
import { PubchainError } from '../core/errors.js';
import { networkParams, type NetworkParams } from '../core/params.js';
import type { Chain } from '../chain/chain.js';
import type { RocksStore } from '../storage/rocksStore.js';
import { UsageError } from './cliErrors.js';

export interface GlobalOptions {
  nodeId?: string;
  datadir?: string;
  network?: string;
  json?: boolean;
}

export interface NodeContext {
  nodeId: string | undefined;
  datadir: string;
  params: NetworkParams;
  json: boolean;
}

export function resolveNode(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): NodeContext {
  const nodeId = g.nodeId ?? (env.NODE_ID && env.NODE_ID.trim() !== '' ? env.NODE_ID.trim() : undefined);
  if (nodeId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(nodeId)) {
    throw new UsageError(`invalid node id "${nodeId}": use letters, digits, '-' or '_' (the tutorial uses the port, e.g. 3000)`);
  }
  if (!nodeId && !g.datadir) throw new UsageError('NODE_ID env var is not set! (set NODE_ID, or pass --node-id ID or --datadir DIR)');
  let params: NetworkParams;
  try { params = networkParams(g.network ?? 'main'); } catch { throw new UsageError(`unknown network "${g.network}": use main or regtest`); }
  const datadir = resolve(g.datadir ?? join('data', nodeId!));
  return { nodeId, datadir, params, json: g.json === true };
}

/** Opens this node's chain database; a running node holding it gives DatabaseLockedError at once. */
export async function openChain(ctx: NodeContext): Promise<Chain> {
  // Loaded here, not at import: a command that goes through a running node's RPC never needs them.
  const [{ Chain }, { DatabaseLockedError }, { RocksStore }, { merkleRoot }] = await Promise.all([
    import('../chain/chain.js'), import('../storage/errors.js'), import('../storage/rocksStore.js'), import('../wasm/merkle.js'),
  ]);
  let store: RocksStore;
  try {
    store = await RocksStore.open(join(ctx.datadir, 'chain'));
  } catch (e) {
    // The commands that can go through a running node already have; this one needs the database itself.
    if (e instanceof DatabaseLockedError) throw new PubchainError('db-locked', `${e.message}; this command needs the database itself: stop the node first (pubchain stop)`);
    throw e;
  }
  return Chain.open(store, ctx.params, { merkleRoot });
}

export async function withChain<T>(ctx: NodeContext, job: (chain: Chain) => Promise<T>): Promise<T> {
  const chain = await openChain(ctx);
  try {
    return await job(chain);
  } finally {
    await chain.close();
  }
}

/** Commands that read the chain say plainly when there is none. */
export function requireTip(chain: Chain, ctx: NodeContext): NonNullable<Chain['tip']> {
  if (!chain.tip) throw new PubchainError('no-chain', `there is no blockchain in ${ctx.datadir} yet: run createblockchain, or startnode to sync one`);
  return chain.tip;
}
