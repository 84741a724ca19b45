// Prometheus metrics (`startnode --metrics-port P`): a text-format endpoint on
// 127.0.0.1 by default, built with prom-client. Everything is read from the
// outside: gauges ask the node when scraped, counters follow the chain's
// events, and the RPC server reports each call through `observeRpc`. The
// endpoint is bound before the node starts (a port in use fails start-up
// first); until `attach` it serves the process metrics alone.
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Block } from '../core/block.js';
import { ListenError } from '../p2p/reservedListener.js';
import type { PubchainNode } from './node.js';
import type { StratumInfo } from '../mining/stratum/stats.js';

const PATH = '/metrics';

export interface MetricsServer {
  port: number;
  registry: Registry;
  /** Starts reading `node` (tip, peers, mempool, miner, bans) and following its chain. */
  attach(node: PubchainNode): void;
  /** One finished RPC call of `method`, taking `ms`. */
  observeRpc(method: string, ms: number): void;
  /** Reads a Stratum server's figures (connections, shares by outcome, blocks found) at every scrape. */
  observeStratum(info: () => StratumInfo): void;
  close(): Promise<void>;
}

export async function startMetricsServer(o: { bind: string; port: number }): Promise<MetricsServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pubchain_' });
  let node: PubchainNode | null = null;
  const registers = [registry];
  const gauge = (name: string, help: string, read: (n: PubchainNode) => number, labelNames: string[] = []): Gauge =>
    new Gauge({ name, help, registers, labelNames, collect() { if (node) this.set(read(node)); } });

  gauge('pubchain_tip_height', 'Height of the best chain tip (genesis is 1; 0 with no chain)', (n) => n.chain.tip?.height ?? 0);
  new Gauge({
    name: 'pubchain_peers', help: 'Peers that finished the handshake, by direction', labelNames: ['direction'], registers,
    collect() {
      const peers = node?.network.manager.peers() ?? [];
      this.set({ direction: 'in' }, peers.filter((p) => p.inbound).length);
      this.set({ direction: 'out' }, peers.filter((p) => !p.inbound).length);
    },
  });
  gauge('pubchain_mempool_transactions', 'Transactions in the mempool', (n) => n.mempool.size);
  gauge('pubchain_mempool_bytes', 'Serialized bytes of the mempool\'s transactions', (n) => n.mempool.bytes);
  gauge('pubchain_sync_progress', 'Tip height over the best height any peer announced (1 when caught up)', (n) => {
    const height = n.chain.tip?.height ?? 0;
    const best = Math.max(n.protocol.bestKnownHeight, height);
    return best === 0 ? 0 : height / best;
  });
  gauge('pubchain_best_known_height', 'Best height any peer announced, or our tip if higher', (n) => Math.max(n.protocol.bestKnownHeight, n.chain.tip?.height ?? 0));
  gauge('pubchain_miner_hashes_per_second', 'Average hash rate of the node\'s own miner (0 when it does not mine)', (n) => n.miner?.hashRate ?? 0);
  gauge('pubchain_banned_addresses', 'Addresses and subnets on the ban list', (n) => n.network.manager.bans.size);
  new Counter({
    name: 'pubchain_bans_total', help: 'Bans made since start (ban score 100 or setban)', registers,
    collect() { if (node) { this.reset(); this.inc(node.network.manager.bans.added); } },
  });
  const blocks = new Counter({ name: 'pubchain_blocks_connected_total', help: 'Blocks connected to the best chain since start', registers });
  const txs = new Counter({ name: 'pubchain_transactions_connected_total', help: 'Transactions (coinbases included) in blocks connected since start', registers });
  const connectTime = new Histogram({
    name: 'pubchain_block_connect_seconds', help: 'Time to check, verify and batch one block as it connects', registers,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const rpc = new Histogram({
    name: 'pubchain_rpc_request_seconds', help: 'JSON-RPC calls by method: count and latency', labelNames: ['method'], registers,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  });

  let stratum: (() => StratumInfo) | null = null;
  new Gauge({ name: 'pubchain_stratum_connections', help: 'Stratum miners connected (0 when the server is off)', registers, collect() { this.set(stratum?.().connections ?? 0); } });
  new Counter({
    name: 'pubchain_stratum_shares_total', help: 'Stratum shares since start, by result (accepted, or the reject reason)', labelNames: ['result'], registers,
    collect() {
      const i = stratum?.();
      if (!i) return;
      this.reset();
      this.inc({ result: 'accepted' }, i.shares.accepted);
      for (const [reason, n] of Object.entries(i.shares.rejected)) this.inc({ result: reason }, n);
    },
  });
  new Counter({
    name: 'pubchain_stratum_blocks_found_total', help: 'Blocks found through Stratum shares and accepted', registers,
    collect() { const i = stratum?.(); if (i) { this.reset(); this.inc(i.blocksfound); } },
  });

  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`metrics are at ${PATH}\n`);
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`cannot collect metrics: ${err.message}\n`),
    );
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void => reject(new ListenError(err.code ?? 'unknown', o.bind, o.port, err.message));
    server.once('error', fail);
    server.listen(o.port, o.bind, () => { server.off('error', fail); resolve(); });
  });
  const onConnect = (block: Block, _height: number, ms: number): void => {
    blocks.inc();
    txs.inc(block.txs.length);
    connectTime.observe(ms / 1000);
  };
  return {
    port: (server.address() as { port: number }).port,
    registry,
    attach(n) {
      node = n;
      n.chain.on('connect', onConnect);
    },
    observeRpc(method, ms) { rpc.observe({ method }, ms / 1000); },
    observeStratum(info) { stratum = info; },
    close: async () => {
      node?.chain.off('connect', onConnect);
      node = null;
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    },
  };
}
