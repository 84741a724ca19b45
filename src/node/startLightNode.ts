// `pubchain startnode --spv`: a light wallet. The light sync (src/node/spv/)
// follows the headers and the filters of its full peers and hands every block
// to the wallet's coin store (src/wallet/lightCoins.ts), which watches the
// pubKeyHashes of the wallet in <datadir>/wallet.json. Ports, signals and the
// shutdown are the full node's (nodeLifecycle.ts).
import { hexToHash, toHex } from '../core/bytes.js';
import { UsageError } from '../core/errors.js';
import type { NetworkParams } from '../core/params.js';
import { decodeAddress } from '../crypto/address.js';
import { LightCoins } from '../wallet/lightCoins.js';
import { Wallet } from '../wallet/wallet.js';
import { createLogger, type LogFormat, type Logger } from './logger.js';
import { parseHostPort } from './network.js';
import { logStorageFailure, runUntilStopped, trapSignals } from './nodeLifecycle.js';
import { LightNode } from './spv/lightNode.js';
import { connectList, parseChainWork } from './startNode.js';
import { bindStartupPorts, type Endpoint } from './startupPorts.js';

/** How often the watch set is read again from the wallet file (addresses made by another process). */
const WATCH_REFRESH_MS = 2000;

export interface StartLightNodeOptions {
  datadir: string;
  params: NetworkParams;
  port: number;
  bind: string;
  connect: string[];
  /** --watch: addresses followed besides the wallet's own (watch-only: getbalance --address answers for them). */
  watch?: string[];
  listenOnly?: boolean;
  genesis?: string;
  /** --minimumchainwork HEX: headers are stored only on a chain with more work. */
  minimumChainWork?: string;
  logLevel?: string;
  logFormat?: LogFormat;
  nodeId?: string;
  rpc?: Endpoint;
  onStarted?: (light: RunningLight, requestStop: () => void, log: Logger, rpcPort: number | null) => Promise<(() => Promise<void>) | void>;
}

/** A running light node with its wallet's coins. */
export interface RunningLight {
  node: LightNode;
  coins: LightCoins;
  /** Reads the wallet's addresses again into the watch set (after getnewaddress). */
  refreshWatched(): Promise<void>;
  p2pPort: number;
}

async function walletPubKeyHashes(datadir: string, extra: Uint8Array[]): Promise<Uint8Array[]> {
  const w = await Wallet.open(datadir);
  return [...w.addresses().map((a) => w.keyFor(a)!.pubKeyHash), ...extra];
}

export async function runLightNode(o: StartLightNodeOptions): Promise<void> {
  const log = createLogger({ level: o.logLevel, format: o.logFormat, name: o.nodeId });
  for (const c of o.connect) parseHostPort(c);
  let genesisPin: Uint8Array | undefined;
  if (o.genesis) {
    try { genesisPin = hexToHash(o.genesis); } catch { throw new UsageError(`invalid --genesis "${o.genesis}": give the 64-hex-digit block hash`); }
  }
  const extra: Uint8Array[] = [];
  for (const a of o.watch ?? []) {
    try { extra.push(decodeAddress(a)); } catch { throw new UsageError(`invalid --watch "${a}": give an address`); }
  }
  const minimumChainWork = o.minimumChainWork === undefined ? undefined : parseChainWork(o.minimumChainWork);
  const connect = connectList(o);
  if (connect.length === 0) throw new UsageError('a light wallet (--spv) syncs from full nodes: give at least one --connect HOST:PORT');
  const signals = trapSignals();
  const ports = await bindStartupPorts({ p2p: { bind: o.bind, port: o.port }, rpc: o.rpc });
  let coins: LightCoins | null = null;
  let node: LightNode;
  // A failed write stops the node (onFatal below), even one made before the node is fully up.
  let fatal: ((err: Error) => void) | null = null;
  let failedEarly: Error | null = null;
  let failed = false;
  try {
    const watch = await walletPubKeyHashes(o.datadir, extra);
    node = await LightNode.start({
      datadir: o.datadir, params: o.params, connect, bind: o.bind, port: ports.p2pPort, log, genesisPin, minimumChainWork,
      onStorageFailure: (err) => { if (fatal) fatal(err); else failedEarly ??= err; },
      sink: async (store) => (coins = await LightCoins.open(store, watch)),
    });
  } catch (err) {
    await ports.release();
    throw err;
  }
  const c = coins!;
  let known = new Set<string>();
  const refreshWatched = async (): Promise<void> => {
    const pkhs = await walletPubKeyHashes(o.datadir, extra);
    const next = new Set(pkhs.map(toHex));
    if (next.size === known.size && [...next].every((k) => known.has(k))) return;
    known = next;
    c.setWatched(pkhs);
    log.info({ addresses: pkhs.length }, 'the light wallet watches its addresses');
  };
  await refreshWatched();
  const timer = setInterval(() => { refreshWatched().catch((err: unknown) => log.warn({ err }, 'cannot read the wallet to refresh the watched addresses')); }, WATCH_REFRESH_MS);
  timer.unref();
  log.info({ connect, addresses: known.size }, 'light wallet (--spv): headers and filters only');
  const running: RunningLight = { node, coins: c, refreshWatched, p2pPort: node.port };
  await runUntilStopped({
    log, signals, ports,
    // A write the coin store could not make stops the node, as a full node's does (startNode.ts).
    onFatal: (stop) => {
      fatal = (err) => {
        failed = true;
        logStorageFailure(log, err, 'a write to the light wallet\'s database failed: stopping (what is on disk is as the last write left it)');
        stop('storage failure');
      };
      if (failedEarly) fatal(failedEarly);
    },
    stopNode: async () => {
      clearInterval(timer);
      // After a failed write the last marker cannot be written either: the fatal line said why.
      await c.close().catch((err: unknown) => { if (!failed) log.error({ err }, 'cannot write the light wallet\'s last marker'); });
      await node.stop();
    },
    onStarted: o.onStarted && ((requestStop) => o.onStarted!(running, requestStop, log, ports.rpcPort)),
  });
}
