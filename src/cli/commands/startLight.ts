// `startnode --spv`: the light wallet's process. Its RPC server answers the
// light method table (src/rpc/methods/light.ts), and node.json is written as a
// full node writes it, so the CLI's routed commands (getbalance --address,
// send, listaddresses, verifytxoutproof, stopnode) reach it the same way.
import { EV } from '../../node/logEvents.js';
import type { LogFormat } from '../../node/logger.js';
import { moduleLogger } from '../../node/logger.js';
import { runLightNode } from '../../node/startLightNode.js';
import { lightRpcContext } from '../../rpc/lightContext.js';
import { lightMethodTable } from '../../rpc/methods/light.js';
import { defaultRpcPort, startRpcServer } from '../../rpc/server.js';
import type { NodeContext } from '../nodeContext.js';
import { removeNodeFile, writeNodeFile } from '../runningNode.js';
import type { StartNodeFlags } from './startNode.js';

export interface CheckedLightFlags {
  port: number;
  rpcPort?: number;
  rpcBind: string;
  rpcServerTimeout?: number;
  rpcWorkQueue?: number;
  logFormat?: LogFormat;
}

export async function startLightCommand(ctx: NodeContext, f: StartNodeFlags, c: CheckedLightFlags): Promise<void> {
  await runLightNode({
    datadir: ctx.datadir, params: ctx.params, port: c.port, bind: f.bind, connect: f.connect, watch: f.watch, listenOnly: f.listenOnly,
    genesis: f.genesis, minimumChainWork: f.minimumchainwork, logLevel: f.logLevel, logFormat: c.logFormat, nodeId: ctx.nodeId,
    rpc: { bind: c.rpcBind, port: c.rpcPort ?? defaultRpcPort(c.port) },
    onStarted: async (light, requestStop, log, reservedRpcPort) => {
      const rpcCtx = lightRpcContext(light.node, light.coins, { params: ctx.params, datadir: ctx.datadir, requestStop, refreshWatched: light.refreshWatched });
      const rpc = await startRpcServer({
        node: rpcCtx, methods: lightMethodTable(), bind: c.rpcBind, port: reservedRpcPort ?? c.rpcPort ?? defaultRpcPort(c.port),
        datadir: ctx.datadir, user: f.rpcUser, password: f.rpcPassword, log: moduleLogger(log, 'rpc'),
        serverTimeoutS: c.rpcServerTimeout, workQueue: c.rpcWorkQueue,
      });
      const rpcHost = c.rpcBind === '0.0.0.0' ? '127.0.0.1' : c.rpcBind;
      await writeNodeFile(ctx.datadir, { pid: process.pid, p2pPort: light.p2pPort, rpcPort: rpc.port, rpcHost, network: ctx.params.name, startedAt: Date.now() });
      log.info({ event: EV.nodeReady, pid: process.pid, p2pPort: light.p2pPort, rpcPort: rpc.port, spv: true }, 'node ready');
      return async () => {
        await removeNodeFile(ctx.datadir);
        await rpc.close();
      };
    },
  });
}
