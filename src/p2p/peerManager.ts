// All of a node's connections: a listener, persistent outbound peers (with
// backoff), addresses learned through addr/getaddr, the ban list and broadcast.
// Addresses are only passed on once we have connected to them ourselves.
// Peers the operator named (--connect, addnode) are never banned, nor are local
// or --whitelist addresses: misbehaving, they are only disconnected.
import { EventEmitter } from 'node:events';
import { connect as tcpConnect, Server, Socket } from 'node:net';
import type { NetworkParams } from '../core/params.js';
import { BanList, DEFAULT_BAN_MS } from './banList.js';
import { silentLogger, type P2pLogger } from './logger.js';
import { P2P_LOG_EVENTS } from './logEvents.js';
import type { Message, PeerAddress, VersionInfo } from './messages.js';
import { MAX_ADDRS, randomNonce64, unixSeconds } from './messages.js';
import { Peer } from './peer.js';
import { bindTcp, claimP2pListener } from './reservedListener.js';
import { isLocalAddress } from './subnet.js';

export interface PeerManagerOptions {
  params: NetworkParams;
  log?: P2pLogger;
  localVersion: () => Omit<VersionInfo, 'nonce' | 'timestamp'>;
  checkVersion: (v: VersionInfo) => string | null;
  maxInbound?: number;
  maxOutbound?: number;
  handshakeTimeoutMs?: number;
  pingIntervalMs?: number;
  banMs?: number;
  retryMs?: number;
}

export declare interface PeerManager {
  on(event: 'ready', l: (peer: Peer) => void): this;
  on(event: 'message', l: (peer: Peer, m: Message) => void): this;
  on(event: 'close', l: (peer: Peer, reason: string) => void): this;
}

const addrKey = (host: string, port: number): string => `${host}:${port}`;

interface DialEntry {
  host: string;
  port: number;
  /** Named by the operator (--connect, addnode): never banned. Learned addresses are not. */
  manual: boolean;
  peer: Peer | null;
  timer: NodeJS.Timeout | null;
  failures: number;
}

export class PeerManager extends EventEmitter {
  readonly bans: BanList;
  readonly nonce = randomNonce64();
  private readonly all = new Set<Peer>();
  private readonly persistent = new Map<string, DialEntry>();
  private readonly known = new Map<string, PeerAddress>();
  private server: Server | null = null;
  private closing = false;
  private readonly log: P2pLogger;
  listenPort = 0;

  constructor(private readonly o: PeerManagerOptions) {
    super();
    this.log = o.log ?? silentLogger;
    this.bans = new BanList(o.banMs ?? DEFAULT_BAN_MS);
  }

  /** Ready (handshaken) peers. */
  peers(): Peer[] {
    return [...this.all].filter((p) => p.ready);
  }

  get connectionCount(): number { return this.all.size; }

  /** Listens on host:port, taking over a listener startnode bound first (reservedListener.ts) if there is one. */
  async listen(host: string, port: number): Promise<number> {
    const claimed = claimP2pListener(host, port);
    const server = claimed?.server ?? await bindTcp(host, port);
    server.on('connection', (socket) => this.onInbound(socket));
    for (const socket of claimed?.early ?? []) this.onInbound(socket);
    server.on('error', (err) => this.log.error({ err }, 'listener error'));
    this.server = server;
    this.listenPort = (server.address() as { port: number }).port;
    return this.listenPort;
  }

  /** Keeps a connection to host:port, reconnecting with backoff while the manager runs; false when it is kept already. `manual` peers are never banned. */
  connect(host: string, port: number, manual = true): boolean {
    const key = addrKey(host, port);
    if (this.persistent.has(key)) return false;
    this.persistent.set(key, { host, port, manual, peer: null, timer: null, failures: 0 });
    this.dial(key);
    return true;
  }

  /** One attempt at host:port (bitcoind's addnode "onetry"): no reconnection when it fails or ends. */
  connectOnce(host: string, port: number): boolean {
    const key = addrKey(host, port);
    if (this.persistent.has(key)) return false;
    this.persistent.set(key, { host, port, manual: true, peer: null, timer: null, failures: 0 });
    this.dial(key);
    // Forgetting the entry now stops every later dial; the attempt in flight goes on.
    this.persistent.delete(key);
    return true;
  }

  /** Stops keeping host:port connected and drops the connection (addnode "remove"); false if it was not kept. */
  disconnect(host: string, port: number): boolean {
    const key = addrKey(host, port);
    const entry = this.persistent.get(key);
    if (!entry) return false;
    this.persistent.delete(key);
    if (entry.timer) clearTimeout(entry.timer);
    entry.peer?.close('removed by the operator');
    return true;
  }

  /** Closes every connection from a banned address (after setban add); returns how many. */
  dropBanned(): number {
    let n = 0;
    for (const p of this.all) if (this.bans.isBanned(plainHost(p.host))) { p.close('address banned by the operator'); n++; }
    return n;
  }

  broadcast(m: Message, except?: Peer): void {
    for (const p of this.peers()) if (p !== except) p.send(m);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const entry of this.persistent.values()) if (entry.timer) clearTimeout(entry.timer);
    for (const p of this.all) p.close('node shutting down');
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private dial(key: string): void {
    const entry = this.persistent.get(key);
    if (!entry || this.closing) return;
    entry.timer = null;
    const socket = tcpConnect({ host: entry.host, port: entry.port });
    socket.once('connect', () => {
      const peer = this.adopt(socket, false, entry.manual);
      entry.peer = peer;
      peer.once('ready', () => { entry.failures = 0; this.remember(entry.host, entry.port); });
      peer.once('close', (reason: string) => {
        entry.peer = null;
        if (!peer.remoteVersion || !peer.ready) {
          // Refused or dropped before the handshake finished: say why, once and then every 10th time.
          entry.failures++;
          if (entry.failures === 1 || entry.failures % 10 === 0) {
            const hint = reason === 'connection closed by peer' ? ' (the other node refused us: banned there, or full)' : '';
            this.log.warn({ peer: key, reason, attempts: entry.failures }, `connection ended during the handshake: ${reason}${hint}; will retry`);
          }
        }
        this.scheduleDial(key);
      });
    });
    socket.once('error', (err) => {
      if (entry.peer) return;
      socket.destroy();
      entry.failures++;
      if (entry.failures === 1 || entry.failures % 10 === 0) this.log.info({ peer: key, err: err.message, attempts: entry.failures }, `cannot connect: ${err.message}; will retry`);
      this.scheduleDial(key);
    });
  }

  private scheduleDial(key: string): void {
    const entry = this.persistent.get(key);
    if (!entry || this.closing || entry.timer) return;
    const base = this.o.retryMs ?? 500;
    const delay = Math.min(base * 2 ** Math.min(entry.failures, 6), 30_000);
    entry.timer = setTimeout(() => this.dial(key), delay);
    entry.timer.unref();
  }

  private onInbound(socket: Socket): void {
    const host = socket.remoteAddress ?? '';
    const inbound = [...this.all].filter((p) => p.inbound).length;
    const refusal = this.closing ? 'shutting down' : this.bans.isBanned(host) ? 'banned address' : inbound >= (this.o.maxInbound ?? 125) ? 'inbound slots full' : null;
    if (refusal) {
      if (!this.closing) this.log.debug({ peer: `${host}:${socket.remotePort ?? 0}`, reason: refusal }, 'refused a connection');
      socket.destroy();
      return;
    }
    this.adopt(socket, true, false);
  }

  private adopt(socket: Socket, inbound: boolean, manual: boolean): Peer {
    const peer = new Peer({
      socket, inbound, params: this.o.params, log: this.log,
      localVersion: () => ({ ...this.o.localVersion(), nonce: this.nonce, timestamp: unixSeconds() }),
      checkVersion: this.o.checkVersion,
      handshakeTimeoutMs: this.o.handshakeTimeoutMs, pingIntervalMs: this.o.pingIntervalMs,
    });
    this.all.add(peer);
    peer.on('ready', () => {
      this.log.info({ event: P2P_LOG_EVENTS.peerConnected, peer: peer.id, inbound, height: peer.remoteVersion!.bestHeight }, 'peer connected');
      if (!inbound) peer.send({ command: 'getaddr' });
      // An inbound peer that listens can be passed on to others: its host as the socket saw
      // it (never an address from the payload), with the port it says it listens on.
      else if (peer.remoteVersion!.listenPort > 0 && socket.remoteAddress) this.remember(plainHost(socket.remoteAddress ?? ''), peer.remoteVersion!.listenPort);
      this.emit('ready', peer);
    });
    peer.on('message', (m: Message) => this.onMessage(peer, m));
    peer.on('banned', (reason: string) => {
      const banned = !manual && this.bans.ban(plainHost(peer.host), reason);
      if (banned) this.log.warn({ peer: peer.id, reason, hours: this.bans.defaultDurationMs / 3_600_000 }, 'peer banned');
      else this.log.info({ peer: peer.id, reason, why: manual ? 'a --connect or addnode peer' : 'a local or --whitelist address' }, 'misbehaving peer disconnected, not banned');
    });
    peer.on('close', (reason: string) => {
      this.all.delete(peer);
      if (peer.remoteVersion) this.log.info({ event: P2P_LOG_EVENTS.peerLeft, peer: peer.id, reason }, 'peer left');
      this.emit('close', peer, reason);
    });
    return peer;
  }

  private onMessage(peer: Peer, m: Message): void {
    if (m.command === 'getaddr') {
      const addresses = [...this.known.values()].slice(0, MAX_ADDRS);
      if (addresses.length > 0) peer.send({ command: 'addr', addresses });
      return;
    }
    if (m.command === 'addr') {
      this.learn(m.addresses);
      return;
    }
    this.emit('message', peer, m);
  }

  private remember(host: string, port: number): void {
    this.known.set(addrKey(host, port), { host, port, lastSeen: unixSeconds() });
  }

  /** Connects to learned addresses while we have fewer outbound peers than we want. */
  private learn(addresses: PeerAddress[]): void {
    const want = this.o.maxOutbound ?? 4;
    for (const a of addresses) {
      if (this.persistent.size >= want) return;
      const key = addrKey(a.host, a.port);
      if (this.persistent.has(key) || this.bans.isBanned(a.host)) continue;
      if (a.port === this.listenPort && isLocalAddress(a.host)) continue;
      this.connect(a.host, a.port, false);
    }
  }
}

/** IPv4 peers reach a dual-stack listener as ::ffff:a.b.c.d; others dial the plain IPv4 form. */
function plainHost(host: string): string {
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}
