// A light node (BIP157/158 client): headers only, filter headers cross-checked
// between two peers, filters matched against the wallet's watch set, and only
// the matching blocks fetched (each body checked against its header's Merkle
// root). One RocksDB in <datadir>/spv holds the sync's keys ('L', layout.ts)
// and is handed to the wallet side (the sink factory) for its own.
import fs from 'node:fs/promises';
import { bytesEqual, hashToHex } from '../../core/bytes.js';
import type { BlockHeader } from '../../core/header.js';
import { headerHash } from '../../core/header.js';
import type { NetworkParams } from '../../core/params.js';
import { serializeTx, type Tx } from '../../core/tx.js';
import type { Peer } from '../../p2p/peer.js';
import type { KeyValueStore } from '../../storage/kvStore.js';
import { RocksStore } from '../../storage/rocksStore.js';
import { watchWrites } from '../../storage/watchedStore.js';
import { PubchainError } from '../../core/errors.js';
import type { Logger } from '../logger.js';
import { parseHostPort } from '../network.js';
import { FilterHeaderSync } from './filterHeaders.js';
import type { ChainPoint, LightChainSink, LightChainSource } from './lightChain.js';
import { LightHeaders } from './lightHeaders.js';
import { LightPeers } from './lightPeers.js';
import { LightRequests } from './lightRequests.js';
import { LightStore } from './lightStore.js';
import { lightDbDir } from './storedHeaders.js';
import { LightSync } from './lightSync.js';
import type { SyncPorts } from './syncPorts.js';

export interface LightNodeOptions {
  datadir: string;
  params: NetworkParams;
  /** Full nodes to keep connected (host:port). Addresses they tell us of are not dialled. */
  connect: string[];
  /** Listens only when a port is given (0: an ephemeral one); a light node needs no inbound peers. */
  bind?: string;
  port?: number;
  log: Logger;
  /** Only a chain with this genesis hash is adopted. */
  genesisPin?: Uint8Array;
  /** Headers are stored only once their chain's work beats this (and our best header's). */
  minimumChainWork?: bigint;
  maxHeldHeadersPerPeer?: number;
  /** How long one answer (block, filter, filter headers, genesis) may take before another peer is asked (default 5 s). */
  requestTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Called once when a write to the node's database fails (the caller stops the process); the write still rejects. */
  onStorageFailure?: (err: Error) => void;
  /** The wallet side: given the node's store, returns the sink blocks go to. */
  sink: (store: KeyValueStore) => Promise<LightChainSink>;
}

export interface LightPeerInfo {
  id: string;
  inbound: boolean;
  userAgent: string;
  services: bigint;
  startingHeight: number;
  /** How far it has shown us our best chain. */
  syncedHeaders: number;
  bytesIn: number;
  bytesOut: number;
  banScore: number;
  pingMs: number | null;
  connectedAt: number;
}

export interface LightProgress {
  headers: number;
  filterHeaders: number;
  synced: number;
  /** Block bodies asked for, and bytes received from every peer so far (closed ones too). */
  blocksRequested: number;
  bytesIn: number;
  /** Filter-header ranges taken from one peer without a second opinion. */
  uncheckedRanges: number;
  /** Headers held for peers whose branch has not beaten our work yet (bounded per peer). */
  heldHeaders: number;
}

export class LightNode implements LightChainSource {
  private headers: LightHeaders | null = null;
  private fh: FilterHeaderSync | null = null;
  private sync: LightSync | null = null;
  private readonly requests = new LightRequests();
  private readonly net: LightPeers;
  private readonly ports: SyncPorts;
  private genesis: Uint8Array | null = null;
  private blocksRequested = 0;
  private closedBytesIn = 0;
  private stopping = false;
  /** The port we listen on, or 0 when we do not. */
  port = 0;

  private constructor(private readonly o: LightNodeOptions, private readonly kv: KeyValueStore, private readonly store: LightStore, private readonly sink: LightChainSink) {
    const timeoutMs = o.requestTimeoutMs ?? 5000;
    this.net = new LightPeers({
      params: o.params, log: o.log, requests: this.requests, genesisPin: o.genesisPin, timeoutMs, handshakeTimeoutMs: o.handshakeTimeoutMs,
      genesisHash: () => this.genesis, headers: () => this.headers,
      adoptGenesis: (h) => this.adopt(h), onChange: () => this.sync?.wake(),
    }, o.connect.length);
    this.net.manager.on('close', (peer) => { this.closedBytesIn += peer.bytesIn; });
    this.ports = {
      peers: () => this.net.peers(), reach: (p) => this.net.reach(p as Peer), requests: this.requests, timeoutMs, log: o.log,
      onBlockRequest: () => { this.blocksRequested++; },
    };
  }

  static async start(o: LightNodeOptions): Promise<LightNode> {
    const dir = lightDbDir(o.datadir);
    await fs.mkdir(dir, { recursive: true });
    const rocks = await RocksStore.open(dir);
    // The sync's writes and the wallet's go through one watch, so either failing stops the node.
    const kv = o.onStorageFailure ? watchWrites(rocks, o.onStorageFailure) : rocks;
    try {
      const store = new LightStore(kv);
      const g = await store.genesis();
      if (g && g.network !== o.params.name) throw new PubchainError('wrong-network', `${dir} holds a ${g.network} light chain, not ${o.params.name}`);
      if (g && o.genesisPin && !bytesEqual(headerHash(g.header), o.genesisPin)) throw new PubchainError('genesis-mismatch', `${dir} holds a chain with genesis ${hashToHex(headerHash(g.header))}, not the --genesis given`);
      const sink = await o.sink(kv);
      const node = new LightNode(o, kv, store, sink);
      if (g) await node.open(g.header);
      if (o.port !== undefined) node.port = await node.net.manager.listen(o.bind ?? '127.0.0.1', o.port);
      for (const c of o.connect) { const { host, port } = parseHostPort(c); node.net.manager.connect(host, port); }
      return node;
    } catch (err) {
      await kv.close();
      throw err;
    }
  }

  private async open(genesis: BlockHeader): Promise<void> {
    const headers = new LightHeaders({ params: this.o.params, genesis, store: this.store, minimumChainWork: this.o.minimumChainWork, maxHeldPerPeer: this.o.maxHeldHeadersPerPeer });
    await headers.open();
    const fh = new FilterHeaderSync(headers, this.store, this.ports);
    await fh.load();
    this.genesis = headers.genesis.hash;
    this.fh = fh;
    this.headers = headers;
    this.sync = new LightSync(headers, fh, this.sink, this.ports);
    this.sync.start();
  }

  private async adopt(header: BlockHeader): Promise<void> {
    if (this.headers || this.stopping) return;
    await this.store.writeGenesis(this.o.params.name, header);
    this.o.log.info({ genesis: hashToHex(headerHash(header)) }, 'adopted the genesis header');
    await this.open(header);
  }

  headerTip(): ChainPoint {
    return this.headers?.tip() ?? { height: this.o.params.genesisHeight - 1, hash: new Uint8Array(32) };
  }

  headerAt(height: number): BlockHeader | null {
    return (Number.isInteger(height) && this.headers?.at(height)?.header) || null;
  }

  headerByHash(hash: Uint8Array): { height: number; header: BlockHeader } | null {
    const e = this.headers?.onBest(hash);
    return e ? { height: e.height, header: e.header } : null;
  }

  syncedTip(): ChainPoint | null { return this.sync?.syncedTip ?? null; }

  async broadcast(tx: Tx): Promise<number> {
    const peers = this.net.peers();
    if (peers.length === 0) throw new Error('no full peer is connected: the transaction was not sent');
    const bytes = serializeTx(tx);
    for (const p of peers) p.send({ command: 'tx', tx: bytes });
    return peers.length;
  }

  peers(): LightPeerInfo[] {
    return this.net.peers().map((p) => ({
      id: p.id, inbound: p.inbound, userAgent: p.remoteVersion?.userAgent ?? '', services: p.remoteVersion?.services ?? 0n,
      startingHeight: p.remoteVersion?.bestHeight ?? 0, syncedHeaders: this.net.reach(p), bytesIn: p.bytesIn, bytesOut: p.bytesOut,
      banScore: p.banScore, pingMs: p.lastPingMs, connectedAt: p.connectedAt,
    }));
  }

  progress(): LightProgress {
    const live = this.net.peers().reduce((n, p) => n + p.bytesIn, 0);
    return {
      headers: this.headerTip().height, filterHeaders: this.fh?.top() ?? 0, synced: this.syncedTip()?.height ?? 0,
      blocksRequested: this.blocksRequested, bytesIn: this.closedBytesIn + live, uncheckedRanges: this.fh?.unchecked ?? 0,
      heldHeaders: this.headers?.chain.heldCount ?? 0,
    };
  }

  /** The peer manager (tests: bans; RPC: addnode and friends). */
  get manager(): LightPeers['manager'] { return this.net.manager; }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.requests.dropAll();
    await this.sync?.stop();
    await this.net.manager.close();
    await this.kv.close();
  }
}
