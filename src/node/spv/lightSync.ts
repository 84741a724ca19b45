// The light sync's one loop: it walks the best header chain in order and hands
// every block to the sink (lightChain.ts), one awaited call at a time. Each
// round: take the sink back to the best chain when it switched branch
// (disconnects, newest first), extend the checked filter headers by a range
// (filterHeaders.ts), then fetch the filters of up to 1,000 blocks past the
// last applied one (getcfilters), check each against its filter header, match
// it against the sink's watched set and fetch only the matching blocks. A peer
// whose filter breaks the filter header chain (or does not decode) is dropped;
// one that does not answer in time loses the request to another.
import { StorageError } from '../../storage/errors.js';
import { bytesEqual, hashToHex } from '../../core/bytes.js';
import { filterMatchesAny, GENESIS_PREV_FILTER_HEADER, filterHeader } from '../../core/gcs.js';
import { filterKeyOf } from '../../core/blockFilter.js';
import type { Block } from '../../core/block.js';
import { BASIC_FILTER, MAX_GETCFILTERS, type FilterMessage } from '../../p2p/filterMessages.js';
import type { HeaderEntry } from '../headerSyncChain.js';
import type { FilterHeaderSync } from './filterHeaders.js';
import type { ChainPoint, LightChainSink } from './lightChain.js';
import type { LightHeaders } from './lightHeaders.js';
import { fetchBlock, peersFor, type LightPeer, type SyncPorts } from './syncPorts.js';

type CFilter = FilterMessage & { command: 'cfilter' };
/** Disconnects in one round at most (a deeper reorganisation goes on next round). */
const MAX_UNWIND = 10_000;

export class LightSync {
  private applied: ChainPoint | null = null;
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private running: Promise<void> | null = null;
  /** Rotates the peer asked for filters. */
  private turn = 0;

  constructor(
    private readonly headers: LightHeaders, private readonly fh: FilterHeaderSync, private readonly sink: LightChainSink,
    private readonly ports: SyncPorts, private readonly idleMs = 1000,
  ) {}

  /** The last block handed to the sink. */
  get syncedTip(): ChainPoint | null { return this.applied; }

  start(): void {
    this.running ??= this.loop();
  }

  /** Something changed (headers, peers): run a round now (or right after the one under way). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  private async loop(): Promise<void> {
    this.applied = await this.sink.lastApplied();
    while (!this.stopped) {
      let busy = false;
      this.woken = false;
      try {
        busy = await this.round();
      } catch (err) {
        // Our own disk failed: the node's storage watch stops the node, and nothing more can be applied.
        if (err instanceof StorageError) return;
        if (!this.stopped) this.ports.log.error({ err }, 'light sync round failed');
      }
      if (!busy && !this.woken && !this.stopped) await new Promise<void>((resolve) => { this.wakeUp = resolve; setTimeout(resolve, this.idleMs).unref(); });
      this.wakeUp = null;
    }
  }

  private async round(): Promise<boolean> {
    if (!(await this.unwind())) return false;
    const grew = await this.fh.extend();
    if (this.stopped) return false;
    const applied = await this.applyFilters();
    return grew || applied;
  }

  /** Takes the sink back to the best chain; false when its last block is not known to us (yet). */
  private async unwind(): Promise<boolean> {
    let at = this.applied;
    for (let n = 0; at && !this.headers.onBest(at.hash) && n < MAX_UNWIND && !this.stopped; n++) {
      if (!this.headers.entry(at.hash)) {
        this.ports.log.warn({ block: hashToHex(at.hash), height: at.height }, "the wallet's last block is not in our header chain; waiting for headers");
        return false;
      }
      this.ports.log.info({ block: hashToHex(at.hash), height: at.height }, 'reorganisation: disconnecting a block from the wallet');
      await this.sink.disconnect(at);
      const next = await this.sink.lastApplied();
      if (next && bytesEqual(next.hash, at.hash)) throw new Error('the sink did not disconnect its last block');
      this.applied = at = next;
    }
    return !at || !!this.headers.onBest(at.hash);
  }

  private pickPeer(height: number, skip: Set<LightPeer>): LightPeer | null {
    const able = peersFor(this.ports, height).filter((p) => !skip.has(p));
    if (able.length === 0) return null;
    return able[this.turn++ % able.length]!;
  }

  /** Filters for the blocks after the last applied one, as far as the checked filter headers go. */
  private async applyFilters(): Promise<boolean> {
    const from = (this.applied?.height ?? this.headers.genesis.height - 1) + 1;
    const to = Math.min(this.fh.top(), from + MAX_GETCFILTERS - 1);
    if (from > to) return false;
    const entries: HeaderEntry[] = [];
    for (let h = from; h <= to; h++) entries.push(this.headers.at(h)!);
    const skip = new Set<LightPeer>();
    for (let tries = 0; tries < 3 && !this.stopped; tries++) {
      const peer = this.pickPeer(to, skip);
      if (!peer) return false;
      const filters = await this.askFilters(peer, from, entries);
      const done = await this.applyRange(peer, entries, filters);
      if (done > 0) return true;
      skip.add(peer);
    }
    return false;
  }

  private askFilters(peer: LightPeer, from: number, entries: HeaderEntry[]): Promise<Array<CFilter | null>> {
    const answers = entries.map((e) => this.ports.requests.wait<CFilter>(peer.id, 'cfilter', e.hash, this.ports.timeoutMs));
    peer.send({ command: 'getcfilters', filterType: BASIC_FILTER, startHeight: from, stopHash: entries[entries.length - 1]!.hash });
    return Promise.all(answers);
  }

  /** Checks, matches and applies the filters in order, up to the first that is missing or wrong; how many were applied. */
  private async applyRange(peer: LightPeer, entries: HeaderEntry[], filters: Array<CFilter | null>): Promise<number> {
    let done = 0;
    for (let i = 0; i < entries.length && !this.stopped; i++) {
      const e = entries[i]!;
      const m = filters[i];
      if (!m) { this.ports.log.info({ peer: peer.id, height: e.height }, 'peer did not deliver a filter; asking another'); break; }
      if (!this.headers.onBest(e.hash)) break;
      const prev = e.height === this.headers.genesis.height ? GENESIS_PREV_FILTER_HEADER : this.fh.get(e.header.prevHash);
      const want = this.fh.get(e.hash);
      if (!prev || !want) break;
      if (m.filterType !== BASIC_FILTER || !bytesEqual(filterHeader(m.filter, prev), want)) {
        peer.misbehave(100, `a filter for block ${hashToHex(e.hash)} that does not match the filter header chain`);
        break;
      }
      let match: boolean;
      try {
        match = filterMatchesAny(m.filter, filterKeyOf(e.hash), this.sink.watched());
      } catch (err) {
        peer.misbehave(100, `a malformed filter for block ${hashToHex(e.hash)}: ${(err as Error).message}`);
        break;
      }
      let block: Block | null = null;
      if (match) {
        block = await fetchBlock(this.ports, e, peersFor(this.ports, e.height, [peer]));
        if (!block || !this.headers.onBest(e.hash)) break;
      }
      await this.sink.connect({ height: e.height, hash: e.hash, header: e.header, block });
      this.applied = { height: e.height, hash: e.hash };
      done++;
    }
    return done;
  }
}
