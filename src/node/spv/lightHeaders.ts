// The light node's best header chain: headers-first's HeaderChain (PoW, bits,
// retarget, median time, bounded memory) over a base that holds nothing but
// the genesis. A branch is stored only once its work beats our best header's
// (and minimumChainWork); until then it is held for its peer, within a bound.
// Heights map straight onto the path: the genesis, then path[0], path[1], ...
import { bytesEqual } from '../../core/bytes.js';
import { BlockHeader, headerHash } from '../../core/header.js';
import type { NetworkParams } from '../../core/params.js';
import { workFromBits } from '../../core/pow.js';
import { locatorHeights } from '../../chain/blockLocator.js';
import { HeaderChain, type HeaderEntry, type HeaderStorePort } from '../headerSyncChain.js';
import type { ChainPoint } from './lightChain.js';

export interface LightHeadersOptions {
  params: NetworkParams;
  genesis: BlockHeader;
  store: HeaderStorePort;
  minimumChainWork?: bigint;
  maxHeldPerPeer?: number;
  now?: () => number;
}

export class LightHeaders {
  readonly chain: HeaderChain;
  readonly genesis: HeaderEntry;

  constructor(private readonly o: LightHeadersOptions) {
    const g = o.genesis;
    this.genesis = { hash: headerHash(g), height: o.params.genesisHeight, work: workFromBits(g.bits), header: g };
    this.chain = new HeaderChain({
      params: o.params, store: o.store, now: o.now, minimumChainWork: o.minimumChainWork, maxHeldPerPeer: o.maxHeldPerPeer,
      base: {
        has: (h) => bytesEqual(h, this.genesis.hash),
        get: async (h) => (bytesEqual(h, this.genesis.hash) ? this.genesis : null),
        tipWork: () => this.tipEntry().work,
      },
    });
  }

  open(): Promise<void> { return this.chain.open(); }

  /** The best header (the genesis when none is above it). */
  tipEntry(): HeaderEntry { return this.chain.bestHeader ?? this.genesis; }
  tip(): ChainPoint { const e = this.tipEntry(); return { height: e.height, hash: e.hash }; }

  /** The best chain's entry at this height, or null outside it. */
  at(height: number): HeaderEntry | null {
    if (height === this.genesis.height) return this.genesis;
    return this.chain.pathAt(height - this.genesis.height - 1) ?? null;
  }

  /** Any header we know (on the best chain or not), by hash. */
  entry(hash: Uint8Array): HeaderEntry | null {
    return bytesEqual(hash, this.genesis.hash) ? this.genesis : this.chain.entry(hash);
  }

  /** The entry when it is on the best chain. */
  onBest(hash: Uint8Array): HeaderEntry | null {
    const e = this.entry(hash);
    if (!e) return null;
    const there = this.at(e.height);
    return there && bytesEqual(there.hash, hash) ? e : null;
  }

  /** A locator of the best chain: dense near its tip, down to the genesis. */
  locator(): Uint8Array[] {
    return locatorHeights(this.tipEntry().height, this.genesis.height).map((h) => this.at(h)!.hash);
  }
}
