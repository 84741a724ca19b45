// BIP157 serving: compact block filters, filter hashes and filter-header
// checkpoints, from the block filter index (src/chain/filterIndex.ts). Each
// request names the branch that ends at its stop hash (any block we hold,
// main chain or not); blocks without a filter yet make us answer nothing,
// never a wrong answer. Oversized or inverted ranges cost the asker ban score.
import { filterHash, GENESIS_PREV_FILTER_HEADER } from '../core/gcs.js';
import type { Chain } from '../chain/chain.js';
import type { BlockIndexEntry } from '../chain/blockIndex.js';
import type { FilterIndex } from '../chain/filterIndex.js';
import { BASIC_FILTER, CFCHECKPT_INTERVAL, MAX_GETCFHEADERS, MAX_GETCFILTERS, type FilterMessage } from '../p2p/filterMessages.js';
import type { ProtocolPeer } from './peerPort.js';

/** Ban score of a request whose range is inverted or above BIP157's limit. */
export const BAD_FILTER_REQUEST_BAN = 10;
/** Past this many bytes queued to a peer, serving waits for its socket to drain. */
const SEND_QUEUE_HIGH_WATER = 4 * 1024 * 1024;

type Request<C extends FilterMessage['command']> = FilterMessage & { command: C };

export class FilterServer {
  constructor(private readonly chain: Chain) {}

  private get index(): FilterIndex | null { return this.chain.filterIndex; }

  /** The stop block and the heights asked for, or null when there is nothing to answer (after penalising a bad range). */
  private async range(peer: ProtocolPeer, m: Request<'getcfilters' | 'getcfheaders'>, max: number): Promise<{ stop: BlockIndexEntry } | null> {
    if (!this.index || m.filterType !== BASIC_FILTER) return null;
    const stop = await this.chain.getIndex(m.stopHash);
    if (!stop || stop.status !== 'valid') return null;
    if (m.startHeight > stop.height || m.startHeight < this.chain.params.genesisHeight) {
      peer.misbehave(BAD_FILTER_REQUEST_BAN, `${m.command} from height ${m.startHeight} to a block at height ${stop.height}`);
      return null;
    }
    if (stop.height - m.startHeight + 1 > max) {
      peer.misbehave(BAD_FILTER_REQUEST_BAN, `${m.command} for ${stop.height - m.startHeight + 1} blocks (max ${max})`);
      return null;
    }
    return { stop };
  }

  async onGetCFilters(peer: ProtocolPeer, m: Request<'getcfilters'>): Promise<void> {
    const r = await this.range(peer, m, MAX_GETCFILTERS);
    if (!r || !peer.sendFilterMessage) return;
    const hashes = await this.index!.branchHashes(r.stop, m.startHeight);
    const entries = await this.index!.getEntries(hashes);
    if (entries.some((e) => e === null)) return;
    for (let i = 0; i < hashes.length; i++) {
      if (peer.closed) return;
      if (peer.sendQueueBytes > SEND_QUEUE_HIGH_WATER) await peer.drained();
      peer.sendFilterMessage({ command: 'cfilter', filterType: BASIC_FILTER, blockHash: hashes[i]!, filter: entries[i]!.filter });
    }
  }

  async onGetCFHeaders(peer: ProtocolPeer, m: Request<'getcfheaders'>): Promise<void> {
    const r = await this.range(peer, m, MAX_GETCFHEADERS);
    if (!r || !peer.sendFilterMessage) return;
    const genesis = m.startHeight === this.chain.params.genesisHeight;
    const hashes = await this.index!.branchHashes(r.stop, genesis ? m.startHeight : m.startHeight - 1);
    const entries = await this.index!.getEntries(hashes);
    if (entries.some((e) => e === null)) return;
    const previousHeader = genesis ? GENESIS_PREV_FILTER_HEADER : entries[0]!.header;
    const filterHashes = (genesis ? entries : entries.slice(1)).map((e) => filterHash(e!.filter));
    peer.sendFilterMessage({ command: 'cfheaders', filterType: BASIC_FILTER, stopHash: r.stop.hash, previousHeader, filterHashes });
  }

  async onGetCFCheckpt(peer: ProtocolPeer, m: Request<'getcfcheckpt'>): Promise<void> {
    if (!this.index || m.filterType !== BASIC_FILTER || !peer.sendFilterMessage) return;
    const stop = await this.chain.getIndex(m.stopHash);
    if (!stop || stop.status !== 'valid') return;
    const heights: number[] = [];
    for (let h = CFCHECKPT_INTERVAL; h <= stop.height; h += CFCHECKPT_INTERVAL) if (h >= this.chain.params.genesisHeight) heights.push(h);
    const hashes = await this.index.ancestorHashes(stop, heights);
    const entries = await this.index.getEntries(hashes);
    if (entries.some((e) => e === null)) return;
    peer.sendFilterMessage({ command: 'cfcheckpt', filterType: BASIC_FILTER, stopHash: stop.hash, headers: entries.map((e) => e!.header) });
  }

  /** A filter answer we never asked for (a full node asks for none): ignored, as an unknown message is. */
  onUnsolicited(_peer: ProtocolPeer, _m: FilterMessage): void {}
}
