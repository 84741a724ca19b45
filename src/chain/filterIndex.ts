// The BIP157/158 block filter index (--blockfilterindex): one basic filter and
// one filter header per connected block, stored by block hash ('f' in
// src/storage/layout.ts). A new block's filter goes into the same atomic batch
// as its connect, so there is no separate tip marker to keep in step: after a
// crash a block's filter is on disk exactly when the block's connect is. A
// filter is written only when the parent's header is known, so the filtered
// blocks of the main chain are always a prefix of it; at open, the end of that
// prefix is found by bisection and the rest is built from the stored blocks
// and their undo data (the upgrade of a chain built without filters).
import type { Block } from '../core/block.js';
import { bytesEqual, bytesKey } from '../core/bytes.js';
import { chainedFilter } from '../core/blockFilter.js';
import type { Coin } from '../core/coin.js';
import { PubchainError } from '../core/errors.js';
import { NULL_HASH } from '../core/tx.js';
import { WriteBatch } from '../storage/kvStore.js';
import type { BlockIndexEntry } from './blockIndex.js';
import type { BlockTree } from './blockTree.js';
import type { ChainHost } from './chainHost.js';
import type { ChainStore } from './chainStore.js';

export interface FilterEntry {
  header: Uint8Array;
  filter: Uint8Array;
}

/** Blocks built per batch while catching up. */
const CATCH_UP_BATCH = 200;

export class FilterIndex {
  /** Time spent building filters in connects, and how many: the cost --blockfilterindex adds to a connect. */
  readonly stats = { blocks: 0, ms: 0, caughtUp: 0 };
  /** The last filter header written, so a connect on the tip reads nothing. */
  private last: { hash: string; header: Uint8Array } | null = null;

  constructor(private readonly db: ChainStore, private readonly tree: BlockTree) {}

  /** The parent's filter header: null for the genesis block, undefined when the parent has no filter. */
  private async parentHeader(block: Block): Promise<Uint8Array | null | undefined> {
    const prev = block.header.prevHash;
    if (bytesEqual(prev, NULL_HASH)) return null;
    if (this.last && this.last.hash === bytesKey(prev)) return this.last.header;
    const [entry] = await this.db.getFilterEntries([prev]);
    return entry ? entry.header : undefined;
  }

  /**
   * Adds the block's filter to its connect batch. A parent without a filter
   * (an interrupted reorganisation resumed before catch-up) leaves the block
   * without one too; catch-up builds both.
   */
  async extend(batch: WriteBatch, block: Block, hash: Uint8Array, spent: Array<{ coin: Coin }>): Promise<void> {
    const started = performance.now();
    const prev = await this.parentHeader(block);
    if (prev === undefined) return;
    const { filter, header } = chainedFilter(block, hash, spent.map((s) => s.coin.pubKeyHash), prev);
    this.db.putFilter(batch, hash, header, filter);
    this.last = { hash: bytesKey(hash), header };
    this.stats.blocks++;
    this.stats.ms += performance.now() - started;
  }

  /** Builds the filters the main chain lacks (all of them on a chain made before the index). Returns how many. */
  async catchUp(host: ChainHost): Promise<number> {
    const tip = host.tip;
    if (!tip) return 0;
    const first = await this.firstUnfiltered(tip, host.params.genesisHeight);
    if (first > tip.height) return 0;
    let prev: Uint8Array | null = null;
    if (first > host.params.genesisHeight) {
      const [e] = await this.db.getFilterEntries(await this.tree.hashesAt([first - 1]));
      prev = e!.header;
    }
    for (let from = first; from <= tip.height; from += CATCH_UP_BATCH) {
      const batch = new WriteBatch();
      const heights = Array.from({ length: Math.min(CATCH_UP_BATCH, tip.height - from + 1) }, (_, i) => from + i);
      const hashes = await this.tree.hashesAt(heights);
      for (const hash of hashes) {
        const block = await host.mustGetBlock(hash);
        const undo = await this.db.getUndo(hash);
        if (!undo) throw new PubchainError('filter-undo-missing', 'a main-chain block has no undo data: run the node with --reindex-utxo, then start it again');
        const built = chainedFilter(block, hash, undo.map((s) => s.coin.pubKeyHash), prev);
        this.db.putFilter(batch, hash, built.header, built.filter);
        prev = built.header;
        this.last = { hash: bytesKey(hash), header: built.header };
      }
      await this.db.writeFilters(batch);
    }
    this.stats.caughtUp += tip.height - first + 1;
    return tip.height - first + 1;
  }

  /** The lowest main-chain height without a filter (tip height + 1 when all have one). */
  private async firstUnfiltered(tip: BlockIndexEntry, genesisHeight: number): Promise<number> {
    const has = async (height: number): Promise<boolean> => (await this.db.getFilterEntries(await this.tree.hashesAt([height])))[0] !== null;
    if (await has(tip.height)) return tip.height + 1;
    let lo = genesisHeight - 1; // highest height known to have one (below genesis: none)
    let hi = tip.height; // lowest height known to lack one
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (await has(mid)) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  getEntries(hashes: Uint8Array[]): Promise<Array<FilterEntry | null>> {
    return this.db.getFilterEntries(hashes);
  }

  /** The hashes of `stop`'s ancestors at `heights` (each at most stop's height). */
  async ancestorHashes(stop: BlockIndexEntry, heights: number[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const h of heights) out.push((await this.tree.ancestor(stop, h)).hash);
    return out;
  }

  /**
   * The hashes of `stop`'s branch from `startHeight` up to `stop` itself,
   * oldest first: the blocks a getcfilters/getcfheaders names.
   */
  async branchHashes(stop: BlockIndexEntry, startHeight: number): Promise<Uint8Array[]> {
    const above: Uint8Array[] = [];
    let e = stop;
    while (e.height >= startHeight && !(await this.tree.isOnMainChain(e))) {
      above.push(e.hash);
      if (e.height === startHeight) return above.reverse();
      e = await this.tree.must(e.header.prevHash);
    }
    const heights = Array.from({ length: e.height - startHeight + 1 }, (_, i) => startHeight + i);
    return [...(await this.tree.hashesAt(heights)), ...above.reverse()];
  }
}
