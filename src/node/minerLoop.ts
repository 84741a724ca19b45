// The miner node's loop: whenever the mempool holds enough transactions (or
// always, with --mine-always), build a template on the current tip and search
// it on the worker pool. A new tip aborts the search within one chunk and the
// loop starts again on the new tip. Found blocks go through the same
// processBlock path as any peer's block.
import type { Block } from '../core/block.js';
import type { NetworkParams } from '../core/params.js';
import type { Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import type { NonceSearcher } from '../wasm/nonceSearch.js';
import { blockTemplate, mineTemplate } from '../mining/template.js';
import type { Logger } from './logger.js';
import { EV } from './logEvents.js';

export interface MinerLoopOptions {
  chain: Chain;
  mempool: Mempool;
  params: NetworkParams;
  searcher: NonceSearcher;
  payoutPubKeyHash: Uint8Array;
  minTxs: number;
  mineAlways: boolean;
  log: Logger;
  /** Hands a found block to the node, which connects and announces it. */
  onBlock: (block: Block) => Promise<void>;
}

export class MinerLoop {
  private abort: AbortController | null = null;
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  blocksFound = 0;
  hashes = 0;
  private hashSeconds = 0;

  constructor(private readonly o: MinerLoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Called on a new tip or a new mempool transaction. */
  poke(newTip = false): void {
    if (newTip) this.abort?.abort();
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    await this.loopDone;
  }

  /** Hashes per second over every finished search (searches cut short by a new tip are not counted). */
  get hashRate(): number {
    return this.hashSeconds > 0 ? this.hashes / this.hashSeconds : 0;
  }

  get mining(): boolean {
    return this.running && !this.stopped && this.ready();
  }

  private ready(): boolean {
    return this.o.chain.tip !== null && (this.o.mineAlways || this.o.mempool.size >= this.o.minTxs);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.ready()) {
        await new Promise<void>((resolve) => { this.wake = resolve; setTimeout(resolve, 1000).unref(); });
        this.wake = null;
        continue;
      }
      try {
        await this.mineOnce();
      } catch (err) {
        this.o.log.error({ err }, 'mining round failed');
        await new Promise((r) => setTimeout(r, 500).unref());
      }
    }
  }

  private async mineOnce(): Promise<void> {
    const { chain, mempool, params } = this.o;
    const ctx = await chain.nextBlockContext();
    // Blocks must be later than the median of the last 11 but at most 2 h ahead of the clock.
    // A chain mined faster than a block a second outruns the clock; wait for it to catch up
    // rather than mine blocks every node (ours included) would refuse.
    const now = Math.floor(Date.now() / 1000);
    if (ctx.medianTimePast + 1 > now + params.maxFutureSeconds - 60) {
      await new Promise((r) => setTimeout(r, 1000).unref());
      return;
    }
    const template = blockTemplate(params, ctx, mempool, this.o.payoutPubKeyHash);
    this.abort = new AbortController();
    const block = await mineTemplate(template, this.o.searcher, {
      signal: this.abort.signal,
      onHashes: (hashes, seconds) => { this.hashes += hashes; this.hashSeconds += seconds; },
    });
    this.abort = null;
    if (!block || this.stopped) return;
    this.blocksFound++;
    this.o.log.info({ event: EV.minedBlock, height: ctx.height, txs: block.txs.length }, 'mined a block');
    await this.o.onBlock(block);
  }
}
