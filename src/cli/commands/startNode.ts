import { availableParallelism } from 'node:os';
import { startNode } from '../../node/startNode.js';
import type { LogFormat } from '../../node/logger.js';
import { UsageError } from '../cliErrors.js';
import type { NodeContext } from '../nodeContext.js';

export interface StartNodeFlags {
  miner?: string;
  connect: string[];
  bind: string;
  port?: string;
  minTxs: string;
  mineAlways: boolean;
  listenOnly: boolean;
  threads?: string;
  genesis?: string;
  logLevel?: string;
  logFormat?: string;
}

function intFlag(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`invalid --${name} "${text}": give a whole number from ${min} to ${max}`);
  return Number(text);
}

export async function startNodeCommand(ctx: NodeContext, f: StartNodeFlags): Promise<void> {
  // The tutorial's node listens on its NODE_ID.
  const portText = f.port ?? ctx.nodeId;
  if (portText === undefined || !/^\d+$/.test(portText)) throw new UsageError('startnode needs a port: set NODE_ID to a port number (e.g. 3000) or pass --port N');
  const port = intFlag('port', portText, 1, 65535);
  const logFormat = f.logFormat as LogFormat | undefined;
  if (logFormat && logFormat !== 'json' && logFormat !== 'pretty') throw new UsageError(`invalid --log-format "${f.logFormat}": use json or pretty`);
  await startNode({
    datadir: ctx.datadir, params: ctx.params, port, bind: f.bind, connect: f.connect,
    miner: f.miner, listenOnly: f.listenOnly, minTxs: intFlag('min-txs', f.minTxs, 1, 100_000), mineAlways: f.mineAlways,
    threads: f.threads === undefined ? availableParallelism() : intFlag('threads', f.threads, 1, 256),
    genesis: f.genesis, logLevel: f.logLevel, logFormat, nodeId: ctx.nodeId,
  });
}
