// BIP157 filter headers for the light node's best header chain, asked from two
// peers at once and compared. Ranges of at most 2,000 blocks (getcfheaders);
// each answer must chain on the filter header we hold for the block before.
// When the two disagree, the first block where they differ is fetched and its
// filter built here (filterCheck.ts): whoever's filter hash differs from it
// lied and is dropped (ban score 100). With one peer only, its answer is taken
// unchecked, and the log says so. Checked headers are kept by block hash, in
// memory and on disk (lightStore.ts), so a reorganisation keeps each block's.
import { bytesEqual, bytesKey, concatBytes, hashToHex } from '../../core/bytes.js';
import { filterHash, GENESIS_PREV_FILTER_HEADER } from '../../core/gcs.js';
import { sha256d } from '../../core/hash.js';
import { BASIC_FILTER, MAX_GETCFHEADERS, type FilterMessage } from '../../p2p/filterMessages.js';
import { ownBlockFilter } from './filterCheck.js';
import type { LightHeaders } from './lightHeaders.js';
import type { LightStore } from './lightStore.js';
import { fetchBlock, peersFor, type LightPeer, type SyncPorts } from './syncPorts.js';

type CFHeaders = FilterMessage & { command: 'cfheaders' };
/** Heights loaded from disk per round trip at open. */
const LOAD_BATCH = 2000;

export class FilterHeaderSync {
  private readonly byHash = new Map<string, Uint8Array>();
  private topHeight: number;
  /** Since when a range waits for a second peer to reach it (by stop hash). */
  private readonly waitingSince = new Map<string, number>();
  /** Ranges taken from one peer without a second opinion (the tests and the log read it). */
  unchecked = 0;

  constructor(private readonly headers: LightHeaders, private readonly store: LightStore, private readonly ports: SyncPorts) {
    this.topHeight = headers.genesis.height - 1;
  }

  /** Loads the stored filter headers along the best chain. */
  async load(): Promise<void> {
    for (let h = this.headers.genesis.height; ; h += LOAD_BATCH) {
      const entries = [];
      for (let i = h; i < h + LOAD_BATCH && this.headers.at(i); i++) entries.push(this.headers.at(i)!);
      const got = await this.store.filterHeaders(entries.map((e) => e.hash));
      let i = 0;
      for (; i < got.length && got[i]; i++) this.byHash.set(bytesKey(entries[i]!.hash), got[i]!);
      if (i < LOAD_BATCH) break;
    }
  }

  /** The checked filter header of a block. */
  get(hash: Uint8Array): Uint8Array | null { return this.byHash.get(bytesKey(hash)) ?? null; }

  /** The highest height up to which every block of the best chain has a checked filter header. */
  top(): number {
    const at = (h: number): boolean => { const e = this.headers.at(h); return !!e && this.byHash.has(bytesKey(e.hash)); };
    while (this.topHeight >= this.headers.genesis.height && !at(this.topHeight)) this.topHeight--;
    while (at(this.topHeight + 1)) this.topHeight++;
    return this.topHeight;
  }

  /** One range of filter headers past top(); false when there was nothing to do or nobody to ask. */
  async extend(): Promise<boolean> {
    const g = this.headers.genesis.height;
    const start = this.top() + 1;
    const tip = this.headers.tip().height;
    if (start > tip) return false;
    const stopHeight = Math.min(tip, start + MAX_GETCFHEADERS - 1);
    const stop = this.headers.at(stopHeight)!;
    const prev = start === g ? GENESIS_PREV_FILTER_HEADER : this.get(this.headers.at(start - 1)!.hash)!;
    const all = this.ports.peers();
    const able = peersFor(this.ports, stopHeight);
    if (able.length === 0) return false;
    if (able.length < 2 && all.length >= 2) {
      // Another peer may just not have told us yet that it has these blocks: give it a while.
      const k = bytesKey(stop.hash);
      const since = this.waitingSince.get(k) ?? Date.now();
      this.waitingSince.set(k, since);
      if (Date.now() - since < 2 * this.ports.timeoutMs) return false;
    }
    this.waitingSince.clear();
    const asked = able.slice(0, 2);
    const answers = await Promise.all(asked.map((p) => this.ask(p, start, stop.hash, stopHeight, prev)));
    const got = asked.map((peer, i) => ({ peer, hashes: answers[i]! })).filter((a) => a.hashes !== null) as Array<{ peer: LightPeer; hashes: Uint8Array[] }>;
    if (got.length === 0) return false;
    if (got.length === 1) {
      this.unchecked++;
      this.ports.log.warn({ peer: got[0]!.peer.id, from: start, to: stopHeight }, 'filter headers from one peer only: unchecked');
      await this.take(start, prev, got[0]!.hashes, stop.hash);
      return true;
    }
    const [a, b] = got as [typeof got[0], typeof got[0]];
    const d = a.hashes.findIndex((h, i) => !bytesEqual(h, b.hashes[i]!));
    if (d < 0) { await this.take(start, prev, a.hashes, stop.hash); return true; }
    const honest = await this.settleDispute(start + d, [a, b].map((x) => ({ peer: x.peer, hash: x.hashes[d]! })));
    // The one whose filter was right is taken at once, so a liar that reconnects cannot hold the sync up.
    const winner = got.find((x) => x.peer === honest);
    if (winner) await this.take(start, prev, winner.hashes, stop.hash);
    return true;
  }

  /** Two peers' filter hashes differ at `height`: the block's own filter says who lied. */
  private async settleDispute(height: number, claims: Array<{ peer: LightPeer; hash: Uint8Array }>): Promise<LightPeer | null> {
    const e = this.headers.at(height)!;
    this.ports.log.warn({ height, block: hashToHex(e.hash), peers: claims.map((c) => c.peer.id) }, 'peers disagree on a filter header; fetching the block to settle it');
    const block = await fetchBlock(this.ports, e, peersFor(this.ports, height, claims.map((c) => c.peer)));
    if (!block) return null;
    const own = filterHash(ownBlockFilter(block, e.hash));
    let honest: LightPeer | null = null;
    for (const c of claims) {
      if (bytesEqual(c.hash, own)) honest = c.peer;
      else c.peer.misbehave(100, `a filter header chain that lies about block ${hashToHex(e.hash)} at height ${height}`);
    }
    return honest;
  }

  /** Asks one peer; its filter hashes when the answer fits the request and our chain, else null (and a penalty when it lied). */
  private async ask(peer: LightPeer, start: number, stop: Uint8Array, stopHeight: number, prev: Uint8Array): Promise<Uint8Array[] | null> {
    const answer = this.ports.requests.wait<CFHeaders>(peer.id, 'cfheaders', stop, this.ports.timeoutMs);
    peer.send({ command: 'getcfheaders', filterType: BASIC_FILTER, startHeight: start, stopHash: stop });
    const m = await answer;
    if (!m) return null;
    if (m.filterType !== BASIC_FILTER || m.filterHashes.length !== stopHeight - start + 1) {
      peer.misbehave(100, `cfheaders with ${m.filterHashes.length} filter hashes for ${stopHeight - start + 1} blocks`);
      return null;
    }
    if (!bytesEqual(m.previousHeader, prev)) {
      peer.misbehave(100, `cfheaders whose previous filter header at height ${start - 1} is not the checked one`);
      return null;
    }
    return m.filterHashes;
  }

  private async take(start: number, prev: Uint8Array, hashes: Uint8Array[], stop: Uint8Array): Promise<void> {
    // The best chain moved while we asked: this range is of another branch now.
    if (!this.headers.onBest(stop)) return;
    const items: Array<{ hash: Uint8Array; header: Uint8Array }> = [];
    let p = prev;
    for (let i = 0; i < hashes.length; i++) {
      const e = this.headers.at(start + i);
      if (!e) break;
      p = sha256d(concatBytes(hashes[i]!, p));
      items.push({ hash: e.hash, header: p });
    }
    await this.store.writeFilterHeaders(items);
    for (const it of items) this.byHash.set(bytesKey(it.hash), it.header);
  }
}
