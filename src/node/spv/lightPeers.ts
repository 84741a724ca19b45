// The light node's side of the wire: full peers only (NODE_HEADERS, same
// genesis), our version saying we are light (NODE_LIGHT, no height, no work:
// nothing to download from us), headers sync into the light header chain, the
// genesis header from the first peer's genesis block, and the answers the sync
// waits for (blocks, cfilters, cfheaders) handed to the request registry.
import { parseBlock } from '../../core/block.js';
import { bytesEqual, hashToHex } from '../../core/bytes.js';
import { ValidationError } from '../../core/errors.js';
import { BlockHeader, headerHash } from '../../core/header.js';
import type { NetworkParams } from '../../core/params.js';
import { NULL_HASH } from '../../core/tx.js';
import { checkProofOfWork } from '../../core/validate.js';
import { MAX_HEADERS, NODE_HEADERS, NODE_LIGHT, type Message, type VersionInfo } from '../../p2p/messages.js';
import type { Peer } from '../../p2p/peer.js';
import { PeerManager } from '../../p2p/peerManager.js';
import { headersAnswered, type HeaderEntry } from '../headerSyncChain.js';
import { StorageError } from '../../storage/errors.js';
import type { Logger } from '../logger.js';
import { PROTOCOL_VERSION, USER_AGENT } from '../network.js';
import type { LightHeaders } from './lightHeaders.js';
import type { LightRequests } from './lightRequests.js';

/** Headers messages that connect to nothing we know before the peer is penalised. */

interface PeerState { best: HeaderEntry | null; unconnected: number }

export interface LightPeersOptions {
  params: NetworkParams;
  log: Logger;
  requests: LightRequests;
  genesisPin?: Uint8Array;
  /** The genesis hash once known (stored, or adopted). */
  genesisHash: () => Uint8Array | null;
  headers: () => LightHeaders | null;
  /** A peer's genesis block passed its checks: store it and start the chain. */
  adoptGenesis: (header: BlockHeader) => Promise<void>;
  /** Headers were stored, or a peer came or went: the sync should look again. */
  onChange: () => void;
  timeoutMs: number;
  handshakeTimeoutMs?: number;
}

export class LightPeers {
  readonly manager: PeerManager;
  private readonly state = new Map<Peer, PeerState>();
  private genesisAsk: { peer: Peer; hash: Uint8Array; timer: NodeJS.Timeout } | null = null;

  constructor(private readonly o: LightPeersOptions, maxOutbound: number) {
    this.manager = new PeerManager({
      params: o.params, log: o.log, handshakeTimeoutMs: o.handshakeTimeoutMs, maxOutbound,
      localVersion: (): Omit<VersionInfo, 'nonce' | 'timestamp'> => ({
        protocol: PROTOCOL_VERSION, userAgent: `${USER_AGENT}spv/`, bestHeight: 0, work: 0n,
        genesis: o.genesisHash() ?? o.genesisPin ?? NULL_HASH, listenPort: this.manager.listenPort, services: NODE_LIGHT,
      }),
      checkVersion: (v) => this.checkVersion(v),
    });
    this.manager.on('ready', (peer) => this.onReady(peer));
    this.manager.on('close', (peer) => this.onClose(peer));
    this.manager.on('message', (peer, m) => { void this.onMessage(peer, m).catch((err: unknown) => o.log.error({ err, peer: peer.id }, 'light message handler failed')); });
  }

  /** Ready full peers. */
  peers(): Peer[] { return this.manager.peers().filter((p) => this.state.has(p)); }

  /** How far the peer has shown us our best chain: its last header when on it, else its version's height. */
  reach(peer: Peer): number {
    const st = this.state.get(peer);
    const h = this.o.headers();
    if (!st || !h) return -1;
    if (st.best && h.onBest(st.best.hash)) return Math.max(st.best.height, h.genesis.height);
    return Math.min(peer.remoteVersion?.bestHeight ?? 0, st.best?.height ?? Infinity);
  }

  private checkVersion(v: VersionInfo): string | null {
    if (((v.services ?? 0n) & NODE_LIGHT) !== 0n) return 'peer is a light node too';
    if (((v.services ?? 0n) & NODE_HEADERS) === 0n) return 'peer does not serve headers';
    if (bytesEqual(v.genesis, NULL_HASH)) return 'peer has no chain yet';
    const ours = this.o.genesisHash() ?? this.o.genesisPin;
    if (ours && !bytesEqual(v.genesis, ours)) return `peer is on another chain (genesis ${hashToHex(v.genesis)}, ours ${hashToHex(ours)})`;
    return null;
  }

  private onReady(peer: Peer): void {
    this.state.set(peer, { best: null, unconnected: 0 });
    if (this.o.headers()) this.requestHeaders(peer);
    else this.askGenesis(peer);
    this.o.onChange();
  }

  private onClose(peer: Peer): void {
    this.state.delete(peer);
    this.o.headers()?.chain.forgetPeer(peer.id);
    this.o.requests.dropPeer(peer.id);
    if (this.genesisAsk?.peer === peer) this.genesisFailed(peer);
    this.o.onChange();
  }

  /** Asks for the headers after our best one, from its parent on (so the answer also says the peer has it). */
  requestHeaders(peer: Peer, after?: Uint8Array): void {
    const h = this.o.headers();
    if (!h) return;
    const tip = h.tipEntry();
    const first = after ? [after] : tip.height > h.genesis.height ? [tip.header.prevHash] : [];
    peer.send({ command: 'getheaders', locator: [...first, ...h.locator()].slice(0, 101), stop: null });
  }

  private askGenesis(peer: Peer): void {
    if (this.genesisAsk || this.o.headers()) return;
    const hash = peer.remoteVersion!.genesis;
    const timer = setTimeout(() => this.genesisFailed(peer), this.o.timeoutMs);
    timer.unref();
    this.genesisAsk = { peer, hash, timer };
    this.o.log.info({ peer: peer.id, genesis: hashToHex(hash) }, 'no chain yet: fetching the genesis block');
    peer.send({ command: 'getdata', items: [{ kind: 'block', hash }] });
  }

  private genesisFailed(peer: Peer): void {
    if (this.genesisAsk?.peer !== peer) return;
    clearTimeout(this.genesisAsk.timer);
    this.genesisAsk = null;
    for (const p of this.peers()) if (p !== peer) { this.askGenesis(p); return; }
  }

  private async onMessage(peer: Peer, m: Message): Promise<void> {
    if (!this.state.has(peer)) return;
    switch (m.command) {
      case 'headers': return this.onHeaders(peer, m.headers);
      case 'inv':
        // A new block: ask its announcer (so we learn it has it) and, when it is news, every peer,
        // so that two of them can vouch for its filter header.
        if (!m.items.some((i) => i.kind === 'block')) return;
        if (m.items.some((i) => i.kind === 'block' && !this.o.headers()?.entry(i.hash))) for (const p of this.peers()) this.requestHeaders(p);
        else this.requestHeaders(peer);
        return;
      case 'block': return this.onBlock(peer, m.block);
      case 'notfound':
        for (const i of m.items) if (i.kind === 'block') this.o.requests.deliver(peer.id, 'block', i.hash, null);
        if (this.genesisAsk?.peer === peer) this.genesisFailed(peer);
        return;
      case 'cfheaders': this.o.requests.deliver(peer.id, 'cfheaders', m.stopHash, m); return;
      case 'cfilter': this.o.requests.deliver(peer.id, 'cfilter', m.blockHash, m); return;
      // We serve nothing: say so at once rather than let the peer wait for a stall.
      case 'getdata': if (m.items.length > 0) peer.send({ command: 'notfound', items: m.items }); return;
      case 'getheaders': peer.send({ command: 'headers', headers: [] }); return;
      default: return;
    }
  }

  private async onBlock(peer: Peer, bytes: Uint8Array): Promise<void> {
    let block;
    try {
      block = parseBlock(bytes, this.o.params.maxBlockSize);
    } catch (err) {
      peer.misbehave(err instanceof ValidationError ? err.banScore : 20, `malformed block: ${(err as Error).message}`);
      return;
    }
    const hash = headerHash(block.header);
    const g = this.genesisAsk;
    if (g && g.peer === peer && bytesEqual(hash, g.hash)) {
      clearTimeout(g.timer);
      this.genesisAsk = null;
      try {
        checkProofOfWork(hash, block.header.bits, this.o.params);
        if (!bytesEqual(block.header.prevHash, NULL_HASH)) throw new ValidationError('bad-genesis', 'a genesis block with a parent', 100);
        if (block.header.bits !== this.o.params.genesisBits) throw new ValidationError('bad-diffbits', 'a genesis block with other bits than the network', 100);
      } catch (err) {
        peer.misbehave(err instanceof ValidationError ? err.banScore : 100, `invalid genesis block: ${(err as Error).message}`);
        return;
      }
      await this.o.adoptGenesis(block.header);
      for (const p of this.peers()) {
        if (!bytesEqual(p.remoteVersion!.genesis, hash)) p.close('peer is on another chain than the one adopted');
        else this.requestHeaders(p);
      }
      return;
    }
    this.o.requests.deliver(peer.id, 'block', hash, block);
  }

  private async onHeaders(peer: Peer, list: BlockHeader[]): Promise<void> {
    const h = this.o.headers();
    const st = this.state.get(peer);
    if (!h || !st || list.length === 0) return;
    let r;
    try {
      r = await h.chain.accept(peer.id, list);
    } catch (err) {
      // Our own disk failing is not the peer's fault: the node's storage watch stops the node.
      if (err instanceof StorageError) return;
      const score = err instanceof ValidationError ? err.banScore : 0;
      this.o.log.info({ peer: peer.id, reason: (err as Error).message }, 'invalid headers');
      if (score > 0) peer.misbehave(score, `invalid headers: ${(err as Error).message}`);
      return;
    }
    if (!headersAnswered(r, peer, st, () => this.requestHeaders(peer))) return;
    if (!st.best || r.last.work > st.best.work || h.onBest(r.last.hash)) st.best = r.last;
    if (list.length === MAX_HEADERS) this.requestHeaders(peer, r.last.hash);
    this.o.onChange();
  }
}
