import { availableParallelism } from 'node:os';
import { runNode } from '../../node/startNode.js';
import { DEFAULT_METRICS_BIND } from '../../node/startupPorts.js';
import { moduleLogger, type LogFormat } from '../../node/logger.js';
import { EV } from '../../node/logEvents.js';
import { startStratum } from '../../node/stratumWiring.js';
import { rpcContextOf } from '../../rpc/context.js';
import { MIN_DBCACHE_MIB } from '../../storage/rocksStore.js';
import { DEFAULT_RPC_BIND, defaultRpcPort, startRpcServer } from '../../rpc/server.js';
import { removeNodeFile, writeNodeFile } from '../runningNode.js';
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
  maxMempool?: string;
  assumevalid?: string;
  dbcache?: string;
  minimumchainwork?: string;
  /** Commander's --no-headersfirst: false when given. */
  headersfirst?: boolean;
  rpcPort?: string;
  rpcBind?: string;
  rpcUser?: string;
  rpcPassword?: string;
  stratumPort?: string;
  stratumBind?: string;
  rpcservertimeout?: string;
  rpcworkqueue?: string;
  whitelist: string[];
  metricsPort?: string;
  metricsBind?: string;
  /** Commander's --no-blockfilterindex: false when given. */
  blockfilterindex?: boolean;
  /** --spv: a light wallet (startLightNode.ts). */
  spv?: boolean;
  /** --watch ADDRESS (with --spv): followed besides the wallet's own addresses. */
  watch?: string[];
  /** The long names of the flags given on the command line (not defaults). */
  given?: string[];
}

/** Flags of a full node that a light wallet refuses, each with its one-line reason. */
const NOT_WITH_SPV: Record<string, string> = {
  '--miner': 'a light wallet mines no blocks (it has no UTXO set to build them on)',
  '--mine-always': 'a light wallet mines no blocks',
  '--min-txs': 'a light wallet mines no blocks',
  '--threads': 'a light wallet mines no blocks, so it has no mining threads',
  '--stratum-port': 'a light wallet serves no Stratum miners',
  '--stratum-bind': 'a light wallet serves no Stratum miners',
  '--assumevalid': 'a light wallet verifies no signatures to skip (it checks headers, filters and Merkle roots)',
  '--dbcache': 'a light wallet keeps no UTXO set to cache',
  '--max-mempool': 'a light wallet keeps no mempool',
  '--metrics-port': 'metrics are served by full nodes only',
  '--metrics-bind': 'metrics are served by full nodes only',
  '--no-blockfilterindex': 'a light wallet builds no filters; it downloads them',
  '--whitelist': 'a light wallet bans no peers by address, so there is nothing to whitelist',
  '--no-headersfirst': 'a light wallet syncs headers first always (it downloads no blocks but its own)',
};

function intFlag(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`invalid --${name} "${text}": give a whole number from ${min} to ${max}`);
  return Number(text);
}

export async function startNodeCommand(ctx: NodeContext, f: StartNodeFlags): Promise<void> {
  // The tutorial's node listens on its NODE_ID.
  const portText = f.port ?? ctx.nodeId;
  if (portText === undefined || !/^\d+$/.test(portText)) throw new UsageError('startnode needs a port: set NODE_ID to a port number (e.g. 3000) or pass --port N');
  const port = intFlag('port', portText, 1, 65535);
  // 0 asks the system for a free port; node.json tells the CLI which one it got.
  const rpcPort = f.rpcPort === undefined ? undefined : intFlag('rpc-port', f.rpcPort, 0, 65535);
  if (rpcPort === undefined && defaultRpcPort(port) > 65535) throw new UsageError(`the default RPC port (${port} + 1000) is above 65535: pass --rpc-port N`);
  const stratumPort = f.stratumPort === undefined ? undefined : intFlag('stratum-port', f.stratumPort, 0, 65535);
  if (f.stratumBind !== undefined && stratumPort === undefined) throw new UsageError('--stratum-bind needs --stratum-port N');
  const rpcServerTimeout = f.rpcservertimeout === undefined ? undefined : intFlag('rpcservertimeout', f.rpcservertimeout, 1, 86_400);
  const rpcWorkQueue = f.rpcworkqueue === undefined ? undefined : intFlag('rpcworkqueue', f.rpcworkqueue, 1, 100_000);
  const rpcBind = f.rpcBind ?? DEFAULT_RPC_BIND;
  const metrics = f.metricsPort === undefined ? undefined : { bind: f.metricsBind ?? DEFAULT_METRICS_BIND, port: intFlag('metrics-port', f.metricsPort, 0, 65535) };
  if (f.metricsBind !== undefined && !metrics) throw new UsageError('--metrics-bind needs --metrics-port N');
  const logFormat = f.logFormat as LogFormat | undefined;
  if (logFormat && logFormat !== 'json' && logFormat !== 'pretty') throw new UsageError(`invalid --log-format "${f.logFormat}": use json or pretty`);
  if ((f.watch ?? []).length > 0 && !f.spv) throw new UsageError('--watch is for a light wallet (--spv); a full node knows every address\'s balance already');
  if (f.spv) {
    for (const flag of f.given ?? []) if (NOT_WITH_SPV[flag]) throw new UsageError(`${flag} does not go with --spv: ${NOT_WITH_SPV[flag]}`);
    const { startLightCommand } = await import('./startLight.js');
    return startLightCommand(ctx, f, { port, rpcPort, rpcBind, rpcServerTimeout, rpcWorkQueue, logFormat });
  }
  await runNode({
    datadir: ctx.datadir, params: ctx.params, port, bind: f.bind, connect: f.connect,
    miner: f.miner, listenOnly: f.listenOnly,
    mempoolBytes: f.maxMempool === undefined ? undefined : intFlag('max-mempool', f.maxMempool, 1, 4096) * 1024 * 1024, minTxs: intFlag('min-txs', f.minTxs, 1, 100_000), mineAlways: f.mineAlways,
    threads: f.threads === undefined ? availableParallelism() : intFlag('threads', f.threads, 1, 256),
    assumeValid: f.assumevalid, dbcacheMiB: f.dbcache === undefined ? undefined : intFlag('dbcache', f.dbcache, MIN_DBCACHE_MIB, 1 << 20),
    minimumChainWork: f.minimumchainwork, headersFirst: f.headersfirst !== false,
    genesis: f.genesis, logLevel: f.logLevel, logFormat, nodeId: ctx.nodeId,
    rpc: { bind: rpcBind, port: rpcPort ?? defaultRpcPort(port) }, metrics, whitelist: f.whitelist, blockFilterIndex: f.blockfilterindex !== false,
    onStarted: async (node, requestStop, log, started) => {
      const stratum = stratumPort === undefined ? null : await startStratum(node, { port: stratumPort, bind: f.stratumBind }, log);
      const rpcCtx = { ...rpcContextOf(node, { requestStop }), stratum };
      rpcCtx.observeCall = started.observeRpc;
      if (stratum) started.observeStratum?.(() => stratum.info());
      const rpc = await startRpcServer({
        node: rpcCtx, bind: rpcBind, port: started.rpcPort ?? rpcPort ?? defaultRpcPort(port),
        datadir: ctx.datadir, user: f.rpcUser, password: f.rpcPassword, log: moduleLogger(log, 'rpc'),
        serverTimeoutS: rpcServerTimeout, workQueue: rpcWorkQueue,
      }).catch(async (err: unknown) => { await stratum?.close(); throw err; });
      const rpcHost = rpcBind === '0.0.0.0' ? '127.0.0.1' : rpcBind;
      await writeNodeFile(ctx.datadir, { pid: process.pid, p2pPort: node.network.port, rpcPort: rpc.port, rpcHost, network: ctx.params.name, startedAt: Date.now() });
      // After node.json: from here on a command on this data directory goes through RPC.
      log.info({ event: EV.nodeReady, pid: process.pid, p2pPort: node.network.port, rpcPort: rpc.port, ...(stratum ? { stratumPort: stratum.port } : {}) }, 'node ready');
      return async () => {
        await removeNodeFile(ctx.datadir);
        await stratum?.close();
        await rpc.close();
      };
    },
  });
}
