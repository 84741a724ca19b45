// Which peer sends us headers, as Bitcoin Core does in initial sync: the whole
// header chain comes from one peer (the "headers peer": its full answers are
// followed by the next getheaders at once). Every other peer is only asked how
// far its chain reaches along ours: a getheaders that stops at our best header
// (a "probe"), answered with that one header when the peer has it, or with the
// headers after where its chain leaves ours when it does not. So three peers
// cost one header chain, not three, while the download (headerSyncDownload.ts)
// still asks all of them for blocks. A headers peer that goes quiet for
// `stallMs` loses the role to another peer, and so does one that answers but
// slowly: under `minRate` headers a second, measured between its answers over
// at least `stallMs`, while another peer has announced more work than our best
// header (each peer loses it so at most once a sync, so two slow peers do not
// swap forever). When it has nothing more (an answer short of 2,000), the peers
// still behind our best header are asked, and so is a peer whose probe answer
// comes after that and shows it behind.
import { locatorHeights } from '../chain/blockLocator.js';
import { MAX_HEADERS } from '../p2p/messages.js';
import type { HeaderEntry } from './headerSyncChain.js';
import type { ProtocolPeer } from './peerPort.js';

export interface HeaderPeersHost {
  /** The best header and the path below it (HeaderChain). */
  readonly bestHeader: HeaderEntry | null;
  readonly pathLength: number;
  pathAt(i: number): HeaderEntry | undefined;
  /** Our block locator (the chain's). */
  blockLocator(): Promise<Uint8Array[]>;
  /** The last header this peer sent us (how far it reaches), or null. */
  reachOf(peer: ProtocolPeer): HeaderEntry | null;
  /** The height up to which the download can use a peer's reach now (the end of its window). */
  reachWanted(): number;
  /** The peers we sync with (that do headers). */
  peers(): Iterable<ProtocolPeer>;
  onError(err: unknown): void;
}

export interface HeaderPeersOptions {
  /** The headers peer's silence (after we asked) before another peer takes over. */
  stallMs: number;
  /**
   * While the headers peer sends, a peer is probed again when the download's window reaches past
   * what it has shown and it was last probed below there, or once our best header has grown by
   * this many since its last probe.
   */
  probeGap: number;
  /** Headers a second the headers peer must deliver while another peer announced more work (Core allows 1 ms a header). */
  minRate: number;
}

export const DEFAULT_HEADER_PEERS: HeaderPeersOptions = { stallMs: 5000, probeGap: 500, minRate: 1000 };

/** The headers peer: since when we wait for its next answer, and its headers since `from` (the start of its rate's window). */
interface Syncer { peer: ProtocolPeer; since: number; from: number; got: number }

const LOCATOR_MAX = 101;

export class HeaderPeers {
  /** The peer whose chain of full answers runs, and since when we wait for its next answer. */
  private syncer: Syncer | null = null;
  /** Peers with a probe or request unanswered. */
  private readonly asked = new Set<ProtocolPeer>();
  /** Our best header's height when each peer was last probed. */
  private readonly probedAt = new Map<ProtocolPeer, number>();
  /** Peers that lost the headers role by going quiet: not given it again until they answer. */
  private readonly quiet = new Set<ProtocolPeer>();
  /** Peers that lost the headers role by being slow, this sync: not given it for slowness again, nor followed on. */
  private readonly slow = new Set<ProtocolPeer>();
  /** Peers to ask once there is a header to probe with or no headers peer any more. */
  private readonly waiting = new Set<ProtocolPeer>();
  /** The last block locator built, and whether a new one is being built. */
  private blocks: Uint8Array[] | null = null;
  private refreshing = false;

  constructor(private readonly host: HeaderPeersHost, private readonly o: HeaderPeersOptions = DEFAULT_HEADER_PEERS) {}

  /** The peer whose headers we take in full, if any. */
  get headersPeer(): ProtocolPeer | null { return this.syncer?.peer ?? null; }

  /**
   * Asks the peer for headers: `after` continues a full answer; otherwise the
   * peer becomes the headers peer when there is none, and is probed when there is.
   */
  request(peer: ProtocolPeer, after?: Uint8Array): void {
    const best = this.host.bestHeader;
    const now = Date.now();
    let stop: Uint8Array | undefined;
    // An answer is on its way: it says what a second request would.
    if (!after && this.asked.has(peer)) return;
    if (after) {
      if (this.syncer?.peer === peer) this.syncer.since = now;
      // It lost the role for being slow: its answer in hand is the last we follow.
      else if (this.slow.has(peer)) return;
    } else if (!this.syncer || this.syncer.peer === peer || this.syncer.peer.closed) {
      if (this.syncer?.peer !== peer) this.syncer = { peer, since: now, from: now, got: 0 };
      this.quiet.delete(peer);
    } else if (best) {
      stop = best.hash;
      this.probedAt.set(peer, best.height);
    } else {
      // Nothing to probe with yet: asked once the headers peer's first headers are stored, or once it is done.
      this.probedAt.delete(peer);
      this.waiting.add(peer);
      return;
    }
    this.waiting.delete(peer);
    this.asked.add(peer);
    // From the best header's parent: a peer that has the best header sends it back, and so
    // says how far its chain reaches along ours (what we may download from it). Then the
    // header path's own locator: a peer behind our best header answers from where it is.
    const first = after ? [after] : best ? [best.header.prevHash, ...this.pathLocator(best)] : [];
    const send = (blocks: Uint8Array[]): void => { if (!peer.closed) peer.sendGetHeaders([...first, ...blocks].slice(0, LOCATOR_MAX), stop); };
    // The block locator comes last, a fallback for a peer that knows none of the headers
    // before it: the one built last time will do, since the chain builds a new one only
    // between the blocks it connects, and headers must not wait for those.
    if (this.blocks) { send(this.blocks); this.refreshLocator(); } else this.refreshLocator(send);
  }

  private refreshLocator(then?: (blocks: Uint8Array[]) => void): void {
    if (this.refreshing && !then) return;
    this.refreshing = true;
    void this.host.blockLocator().then((blocks) => {
      this.blocks = blocks;
      then?.(blocks);
    }).catch((err: unknown) => this.host.onError(err)).finally(() => { this.refreshing = false; });
  }

  /** A headers message of `n` headers from the peer arrived (before it is taken); 2,000: more follow. */
  heard(peer: ProtocolPeer, n: number): void {
    this.asked.delete(peer);
    this.quiet.delete(peer);
    const s = this.syncer;
    if (s?.peer !== peer) return;
    const now = Date.now();
    if (n === MAX_HEADERS) s.since = now;
    s.got += n;
    // Its rate, between answers (so not skewed by where a window cuts one), over at least stallMs.
    if (now - s.from < this.o.stallMs) return;
    const slow = (s.got * 1000) / (now - s.from) < this.o.minRate;
    s.from = now;
    s.got = 0;
    if (slow) this.handOver(s);
  }

  /** A slow headers peer gives the role to a peer that announced more work than our best header, if one has not lost it so before. */
  private handOver(s: Syncer): void {
    const work = this.host.bestHeader?.work ?? 0n;
    for (const p of this.host.peers()) {
      if (p === s.peer || p.closed || this.quiet.has(p) || this.slow.has(p) || p.remote.work <= work) continue;
      this.slow.add(s.peer);
      this.syncer = null;
      this.asked.delete(p);
      this.request(p);
      return;
    }
  }

  /**
   * The peer's message was taken (or refused). The headers peer's answer short of
   * 2,000 ends its role: it has nothing more, so every peer behind our best header is asked.
   * A probe sent before our best header last grew, and answered once no peer has the role
   * any more, is followed up when it shows its peer behind (that round skipped the peer).
   */
  done(peer: ProtocolPeer, full: boolean): void {
    if (this.syncer?.peer === peer) {
      if (full) return;
      this.syncer = null;
      this.slow.clear();
      this.taken(peer);
    } else if (!this.syncer) {
      const best = this.host.bestHeader;
      const at = this.probedAt.get(peer);
      if (best && at !== undefined && at < best.height) this.askIfBehind(peer, best);
    }
  }

  /**
   * Headers from `from` were taken (a slice stored, or its whole message): probe the
   * peers whose reach falls short of the download's window (probeGap), and once no peer syncs
   * headers any more, ask every peer that does not reach our best header yet.
   */
  taken(from: ProtocolPeer): void {
    const best = this.host.bestHeader;
    for (const p of this.host.peers()) if (p !== from) this.askIfBehind(p, best);
  }

  private askIfBehind(p: ProtocolPeer, best: HeaderEntry | null): void {
    if (p.closed || this.asked.has(p) || p === this.syncer?.peer) return;
    if (this.waiting.has(p)) { this.request(p); return; }
    if (!best) return;
    const reach = this.host.reachOf(p);
    if (reach && reach.height >= best.height) return;
    const last = this.probedAt.get(p);
    if (this.syncer && last !== undefined) {
      // Headers still arrive: the download needs to know the peer's reach only as far as its window.
      const need = Math.min(best.height, this.host.reachWanted());
      if (reach && reach.height >= need) return;
      if (last >= need && best.height - last < this.o.probeGap) return;
    }
    if (!this.syncer && this.quiet.has(p)) return;
    this.request(p);
  }

  /** Called on a timer: a headers peer silent for `stallMs` after we asked loses the role. */
  checkStall(now: number): void {
    const s = this.syncer;
    if (!s || now - s.since <= this.o.stallMs) return;
    this.syncer = null;
    this.quiet.add(s.peer);
    // Whoever is asked next (plainly) takes over.
    for (const p of this.host.peers()) {
      if (p === s.peer || p.closed || this.quiet.has(p)) continue;
      this.asked.delete(p);
      this.request(p);
      return;
    }
  }

  forget(peer: ProtocolPeer): void {
    this.asked.delete(peer);
    this.waiting.delete(peer);
    this.probedAt.delete(peer);
    this.quiet.delete(peer);
    this.slow.delete(peer);
    if (this.syncer?.peer !== peer) return;
    this.syncer = null;
    for (const p of this.host.peers()) {
      if (p !== peer && !p.closed) { this.asked.delete(p); this.request(p); return; }
    }
  }

  /** Hashes of the header path below `best`, dense near it and sparse further down. */
  private pathLocator(best: HeaderEntry): Uint8Array[] {
    const first = this.host.pathAt(0);
    if (!first || best.height <= first.height) return [];
    return locatorHeights(best.height - 1, first.height).map((h) => this.host.pathAt(h - first.height)?.hash).filter((h): h is Uint8Array => !!h);
  }
}
