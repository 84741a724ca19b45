// Which node a command acts on: NODE_ID (the tutorial's way) or --node-id
// picks it, --datadir overrides where its files live, --network its rules.
// Kept apart from nodeContext.ts (which opens the chain) so the routed fast
// path (routed.ts) loads nothing of the chain's.
import { join, resolve } from 'node:path';
import { networkParams, type NetworkParams } from '../core/params.js';
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
