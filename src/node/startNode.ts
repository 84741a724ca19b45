// `pubchain startnode`: runs a node until SIGINT/SIGTERM, then shuts down
// cleanly (mining cancelled, connections closed, database closed) in seconds.
// Every port is bound first (startupPorts.ts); a failure to start rejects with
// one error line, and a failure while running leaves process.exitCode at 1.
import { hexToHash } from '../core/bytes.js';
import { UsageError } from '../core/errors.js';
import type { NetworkParams } from '../core/params.js';
import { decodeAddress } from '../crypto/address.js';
import { createLogger, type LogFormat, type Logger } from './logger.js';
import { parseSubnet } from '../p2p/subnet.js';
import { parseHostPort } from './network.js';
import { PubchainNode } from './node.js';
import { logStorageFailure, runUntilStopped, trapSignals } from './nodeLifecycle.js';
import { bindStartupPorts, type Endpoint } from './startupPorts.js';
import type { StratumInfo } from '../mining/stratum/stats.js';

/** The tutorial's central node: every other node connects to it unless told otherwise. */
export const CENTRAL_NODE = 'localhost:8000';
export const CENTRAL_PORT = 8000;

export interface StartNodeOptions {
  datadir: string;
  params: NetworkParams;
  port: number;
  bind: string;
  connect: string[];
  miner?: string;
  minTxs: number;
  mineAlways: boolean;
  mempoolBytes?: number;
  /** --assumevalid HASH (display hex): signatures at and below it are not verified. */
  assumeValid?: string;
  /** --dbcache MiB. */
  dbcacheMiB?: number;
  /** --minimumchainwork HEX: header chains with less work are never stored or downloaded (as Core's -minimumchainwork). */
  minimumChainWork?: string;
  /** --no-headersfirst: sync by getblocks/inv only, and do not offer headers to peers (false when given). */
  headersFirst?: boolean;
  /** Connect only to `connect`, never to the central node by default. */
  listenOnly?: boolean;
  threads: number;
  genesis?: string;
  logLevel?: string;
  logFormat?: LogFormat;
  nodeId?: string;
  /** The RPC port to hold from the start (0: any free port); onStarted gets the port to serve on. */
  rpc?: Endpoint;
  /** --metrics-port/--metrics-bind: Prometheus metrics (off when missing). */
  metrics?: Endpoint;
  /** --whitelist: IPs and subnets that are never banned. */
  whitelist?: string[];
  /** --no-blockfilterindex turns the BIP157/158 filter index off (on by default). */
  blockFilterIndex?: boolean;
  /**
   * Runs once the node is up (the CLI starts the RPC server here); `requestStop`
   * begins the same shutdown as SIGTERM. The returned function runs first on shutdown;
   * a rejection stops the node and becomes runNode's rejection.
   */
  onStarted?: (node: PubchainNode, requestStop: () => void, log: Logger, started: StartedInfo) => Promise<(() => Promise<void>) | void>;
}

export interface StartedInfo {
  /** The port reserved for RPC (null when `rpc` was not given). */
  rpcPort: number | null;
  /** Reports one RPC call to the metrics (when they are on). */
  observeRpc?: (method: string, ms: number) => void;
  /** Hands a running Stratum server's figures to the metrics (when they are on). */
  observeStratum?: (info: () => StratumInfo) => void;
}

/** A chain work in hex, as Core's -minimumchainwork takes it (an optional 0x, at most 64 digits). */
export function parseChainWork(text: string): bigint {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{1,64}$/.test(digits)) throw new UsageError(`invalid --minimumchainwork "${text}": give the chain work in hex, at most 64 digits (e.g. 0x100000)`);
  return BigInt(`0x${digits}`);
}

export async function runNode(o: StartNodeOptions): Promise<void> {
  const log = createLogger({ level: o.logLevel, format: o.logFormat, name: o.nodeId });
  for (const c of o.connect) parseHostPort(c);
  for (const w of o.whitelist ?? []) if (!parseSubnet(w)) throw new UsageError(`invalid --whitelist "${w}": give an IP address or a subnet such as 10.0.0.0/8`);
  if (o.mineAlways && !o.miner) throw new UsageError('--mine-always needs --miner ADDRESS');
  const minerPubKeyHash = o.miner ? decodeAddress(o.miner) : undefined;
  let genesisPin: Uint8Array | undefined;
  if (o.genesis) {
    try { genesisPin = hexToHash(o.genesis); } catch { throw new UsageError(`invalid --genesis "${o.genesis}": give the 64-hex-digit block hash`); }
  }
  let assumeValid: Uint8Array | undefined;
  if (o.assumeValid) {
    try { assumeValid = hexToHash(o.assumeValid); } catch { throw new UsageError(`invalid --assumevalid "${o.assumeValid}": give the 64-hex-digit block hash`); }
  }
  const minimumChainWork = o.minimumChainWork === undefined ? undefined : parseChainWork(o.minimumChainWork);
  const connect = connectList(o);
  const signals = trapSignals();
  const ports = await bindStartupPorts({ p2p: { bind: o.bind, port: o.port }, rpc: o.rpc, metrics: o.metrics });
  let node: PubchainNode;
  try {
    node = await PubchainNode.start({
      datadir: o.datadir, params: o.params, bind: o.bind, port: ports.p2pPort, connect,
      minerPubKeyHash, minTxs: o.minTxs, mineAlways: o.mineAlways, threads: o.threads, genesisPin, log,
      mempoolBytes: o.mempoolBytes, blockFilterIndex: o.blockFilterIndex, assumeValid, dbcacheMiB: o.dbcacheMiB,
      sync: { headersFirst: o.headersFirst !== false, minimumChainWork },
      progressBar: process.stderr.isTTY === true && (o.logFormat ?? 'pretty') === 'pretty',
    });
  } catch (err) {
    await ports.release();
    throw err;
  }
  node.network.manager.bans.allow(o.whitelist ?? []);
  const metrics = ports.metrics;
  if (metrics) {
    metrics.attach(node);
    log.info({ bind: o.metrics!.bind, port: metrics.port }, 'metrics listening');
  }
  if (o.miner) log.info({ miner: o.miner, minTxs: o.minTxs, mineAlways: o.mineAlways, threads: o.threads }, 'mining is on');
  await runUntilStopped({
    log, signals, ports,
    stopNode: async () => { await metrics?.close(); await node.stop(); },
    onFatal: (stop) => node.chain.once('storage-failed', (err: Error) => {
      logStorageFailure(log, err, 'a database write failed: stopping (the database holds every block up to the last one written)');
      stop('storage failure');
    }),
    onStarted: o.onStarted && ((requestStop) => {
      const started: StartedInfo = { rpcPort: ports.rpcPort, observeRpc: metrics ? (m, ms) => metrics.observeRpc(m, ms) : undefined,
        observeStratum: metrics ? (info) => metrics.observeStratum(info) : undefined };
      return o.onStarted!(node, requestStop, log, started);
    }),
  });
}

/** As in the tutorial, a node that is not the central one starts by talking to it. */
export function connectList(o: { connect: string[]; port: number; listenOnly?: boolean }): string[] {
  return o.connect.length > 0 || o.port === CENTRAL_PORT || o.listenOnly ? o.connect : [CENTRAL_NODE];
}
