// Connects the p2p layer to the node's protocol logic: our version message
// (height, work, genesis), which peers we accept, and message dispatch: one
// table (HANDLERS) with a handler for every command, checked by the compiler.
import { bytesEqual, hashToHex } from '../core/bytes.js';
import type { BlockHeader } from '../core/header.js';
import type { NetworkParams } from '../core/params.js';
import { NULL_HASH } from '../core/tx.js';
import type { Chain } from '../chain/chain.js';
import type { FilterMessage } from '../p2p/filterMessages.js';
import { NODE_HEADERS, type Command, type InvItem, type Message, type VersionInfo } from '../p2p/messages.js';
import type { Peer } from '../p2p/peer.js';
import { InboundBudget, messageWeight } from './inboundBudget.js';
import { PeerManager } from '../p2p/peerManager.js';
import type { Logger } from './logger.js';
import { EV } from './logEvents.js';
import type { ProtocolPeer } from './peerPort.js';
import type { NodeProtocol } from './protocol.js';

export const PROTOCOL_VERSION = 1;
export const USER_AGENT = '/pubchain:0.1.0/';

export interface NetworkOptions {
  params: NetworkParams;
  chain: Chain;
  protocol: NodeProtocol;
  log: Logger;
  bind: string;
  port: number;
  connect: string[];
  genesisPin?: Uint8Array;
  handshakeTimeoutMs?: number;
  banMs?: number;
}

export interface NetworkHandle {
  manager: PeerManager;
  port: number;
  peers(): ProtocolPeer[];
  close(): Promise<void>;
  /** Resolves once every message received so far has been handled (at most `timeoutMs`). */
  idle(timeoutMs?: number): Promise<void>;
}

/** "host:port", "[v6]:port" or a bare port; host names are fine. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new RangeError(`invalid peer address "${text}": use HOST:PORT, e.g. localhost:8000`);
  return { host: (m[1] ?? m[2])!, port };
}

class PeerAdapter implements ProtocolPeer {
  constructor(readonly peer: Peer) {}
  get id(): string { return this.peer.id; }
  get remote(): { bestHeight: number; work: bigint; genesis: Uint8Array; services?: bigint } { return this.peer.remoteVersion!; }
  sendGetBlocks(locator: Uint8Array[], stop?: Uint8Array): void { this.peer.send({ command: 'getblocks', locator, stop: stop ?? null }); }
  sendGetHeaders(locator: Uint8Array[], stop?: Uint8Array): void { this.peer.send({ command: 'getheaders', locator, stop: stop ?? null }); }
  sendHeaders(headers: BlockHeader[]): void { this.peer.send({ command: 'headers', headers }); }
  sendInv(items: InvItem[]): void { this.peer.send({ command: 'inv', items }); }
  sendGetData(items: InvItem[]): void { this.peer.send({ command: 'getdata', items }); }
  sendNotFound(items: InvItem[]): void { this.peer.send({ command: 'notfound', items }); }
  sendBlock(bytes: Uint8Array): void { this.peer.send({ command: 'block', block: bytes }); }
  sendBlocks(blocks: readonly Uint8Array[]): void { this.peer.sendBlocks(blocks); }
  sendTx(bytes: Uint8Array): void { this.peer.send({ command: 'tx', tx: bytes }); }
  sendReject(code: string, reason: string, hash?: Uint8Array): void { this.peer.send({ command: 'reject', rejected: 'tx', code, reason: reason.slice(0, 512), hash: hash ?? null }); }
  sendFilterMessage(m: FilterMessage): void { this.peer.send(m); }
  misbehave(score: number, reason: string): void { this.peer.misbehave(score, reason); }
  get closed(): boolean { return this.peer.closed; }
  get sendQueueBytes(): number { return this.peer.sendQueueBytes; }
  drained(): Promise<void> { return this.peer.drained(); }
  disconnect(reason: string): void { this.peer.close(reason); }
}

export async function startNetwork(o: NetworkOptions): Promise<NetworkHandle> {
  const { chain, protocol, log } = o;
  const adapters = new Map<Peer, PeerAdapter>();
  const manager: PeerManager = new PeerManager({
    params: o.params, log, handshakeTimeoutMs: o.handshakeTimeoutMs, banMs: o.banMs,
    localVersion: (): Omit<VersionInfo, 'nonce' | 'timestamp'> => ({
      protocol: PROTOCOL_VERSION, userAgent: USER_AGENT, bestHeight: chain.tip?.height ?? 0,
      work: chain.tip?.work ?? 0n, genesis: chain.genesisHash ?? NULL_HASH, listenPort: manager.listenPort,
      services: protocol.headersFirst ? NODE_HEADERS : 0n,
    }),
    checkVersion: (v: VersionInfo) => {
      const ours = chain.genesisHash ?? o.genesisPin;
      if (!ours || bytesEqual(v.genesis, NULL_HASH)) return null;
      if (!bytesEqual(v.genesis, ours)) return `peer is on another chain (genesis ${hashToHex(v.genesis)}, ours ${hashToHex(ours)})`;
      return null;
    },
  });
  manager.on('ready', (peer) => {
    const a = new PeerAdapter(peer);
    adapters.set(peer, a);
    protocol.onPeerReady(a);
  });
  manager.on('close', (peer) => {
    budget.forget(peer);
    const a = adapters.get(peer);
    adapters.delete(peer);
    if (a) protocol.onPeerClose(a);
  });
  const budget = new InboundBudget();
  const inFlight = new Set<Promise<void>>();
  const ctx: DispatchContext = { protocol, log };
  manager.on('message', (peer, m) => {
    const a = adapters.get(peer);
    if (!a) return;
    const release = budget.take(peer, messageWeight(m));
    const failed = (err: unknown): void => log.error({ err, peer: peer.id }, 'message handler failed');
    let result: void | Promise<unknown> = undefined;
    try {
      result = dispatch(ctx, a, m);
    } catch (err) {
      failed(err);
    }
    // A handler that finished at once (most that are not blocks) needs no promise bookkeeping.
    if (!(result instanceof Promise)) { release(); return; }
    const work: Promise<void> = result.then(() => { release(); inFlight.delete(work); }, (err: unknown) => { failed(err); release(); inFlight.delete(work); });
    inFlight.add(work);
    peer.afterWork(work);
  });
  const port = await manager.listen(o.bind, o.port);
  log.info({ event: EV.listening, bind: o.bind, port }, 'listening');
  for (const c of o.connect) {
    const { host, port: p } = parseHostPort(c);
    manager.connect(host, p);
  }
  const idle = async (timeoutMs = 5000): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    await Promise.race([Promise.allSettled([...inFlight]).then(() => undefined), limit]);
    clearTimeout(timer);
  };
  return { manager, port, peers: () => [...adapters.values()].filter((a) => a.peer.ready), close: () => manager.close(), idle };
}

interface DispatchContext { protocol: NodeProtocol; log: Logger }
type Handler<C extends Command> = (x: DispatchContext, peer: ProtocolPeer, m: Message & { command: C }) => void | Promise<unknown>;

/** Answered inside src/p2p (the handshake and ping in peer.ts, addresses in peerManager.ts): never emitted to the node. */
const inP2p = (x: DispatchContext, peer: ProtocolPeer, m: Message): void => {
  x.log.error({ peer: peer.id, command: m.command }, 'a p2p-layer message reached the node');
};

/** Where each command is handled: a command added to messages.ts without an entry here does not compile. */
const HANDLERS: { [C in Command]: Handler<C> } = {
  version: inP2p,
  verack: inP2p,
  ping: inP2p,
  pong: inP2p,
  addr: inP2p,
  getaddr: inP2p,
  getblocks: (x, peer, m) => x.protocol.serving.onGetBlocks(peer, m.locator, m.stop ?? undefined),
  getheaders: (x, peer, m) => x.protocol.sync.headerSync.onGetHeaders(peer, m.locator, m.stop),
  headers: (x, peer, m) => x.protocol.sync.headerSync.onHeaders(peer, m.headers),
  getdata: (x, peer, m) => x.protocol.serving.onGetData(peer, m.items),
  inv: (x, peer, m) => x.protocol.onInv(peer, m.items),
  notfound: (x, peer, m) => x.protocol.sync.onNotFound(peer, m.items),
  block: (x, peer, m) => x.protocol.sync.onBlockBytes(peer, m.block),
  tx: (x, peer, m) => x.protocol.txRelay.onTxBytes(peer, m.tx),
  getcfilters: (x, peer, m) => x.protocol.filters.onGetCFilters(peer, m),
  getcfheaders: (x, peer, m) => x.protocol.filters.onGetCFHeaders(peer, m),
  getcfcheckpt: (x, peer, m) => x.protocol.filters.onGetCFCheckpt(peer, m),
  cfilter: (x, peer, m) => x.protocol.filters.onUnsolicited(peer, m),
  cfheaders: (x, peer, m) => x.protocol.filters.onUnsolicited(peer, m),
  cfcheckpt: (x, peer, m) => x.protocol.filters.onUnsolicited(peer, m),
  // A peer refused something we sent (a transaction, most often): worth a line, nothing to undo.
  reject: (x, peer, m) => {
    x.log.debug({ peer: peer.id, rejected: m.rejected, code: m.code, reason: m.reason, hash: m.hash ? hashToHex(m.hash) : null }, 'peer rejected our message');
  },
};

function dispatch(x: DispatchContext, peer: ProtocolPeer, m: Message): void | Promise<unknown> {
  return (HANDLERS[m.command] as Handler<Command>)(x, peer, m as never);
}
