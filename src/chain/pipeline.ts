// The blocks prepared ahead of the tip, in chain order. Each was checked
// against the UTXO set as the blocks before it leave it (in memory: nothing is
// written or remembered), its batch built and its signatures posted to the
// verifier (prepareConnect, tipConnect.ts); each connects once its own
// signatures pass and the block before it has connected (commitConnect). So
// while block N's signatures verify on the pool's threads, this thread checks
// N+1 and N+2 and posts theirs, and the workers never wait for it between
// blocks. A block whose predecessor did not connect (invalid, or a storage
// failure) is never connected from here: its result is `null`, and the chain
// takes it again from the start (chain.ts), where it meets the failure.
import { bytesEqual } from '../core/bytes.js';
import type { ConnectResult } from '../core/validate.js';
import type { BlockIndexEntry } from './blockIndex.js';
import type { Durable } from './chainHost.js';
import type { ProcessResult } from './chainTypes.js';
import type { SerialQueue } from './serialQueue.js';
import { commitConnect, ConnectSteps, Prepared } from './tipConnect.js';

/**
 * Blocks prepared and not yet connected, at most: one verifying, one whose
 * checks wait in the pool's queue behind it, and one being prepared. More
 * would hold more blocks' coins and batches in memory for no gain: the
 * workers already have the next block's checks when they finish one.
 */
export const MAX_AHEAD = 3;

export type Accepted = { result: ProcessResult; durable?: Durable };

interface Ahead {
  p: Prepared;
  /** Null when the block before did not connect (this one was not connected either); rejects when this block failed. */
  connected: Promise<Accepted | null>;
}

export class ConnectPipeline {
  private readonly list: Ahead[] = [];

  /** `failed` turns a failure to connect into the error to report (and marks an invalid block so). */
  constructor(
    private readonly steps: ConnectSteps,
    private readonly queue: SerialQueue,
    private readonly failed: (e: unknown, entry: BlockIndexEntry, key: string) => Promise<unknown>,
  ) {}

  /** The newest prepared block, if it is `hash`'s block. */
  lastIs(hash: Uint8Array): boolean {
    const last = this.list[this.list.length - 1];
    return last !== undefined && bytesEqual(last.p.entry.hash, hash);
  }

  /** The prepared blocks, oldest first: a child of the last is checked on their view. */
  pending(): { entries: BlockIndexEntry[]; checked: ConnectResult[] } {
    return { entries: this.list.map((a) => a.p.entry), checked: this.list.map((a) => a.p.checked) };
  }

  /** Resolves once fewer than MAX_AHEAD blocks are prepared and unconnected. */
  async room(): Promise<void> {
    while (this.list.length >= MAX_AHEAD) await this.list[0]!.connected.catch(() => null);
  }

  /**
   * Leaves `p` to connect behind the last prepared block (at once when there
   * is none: its parent is the tip), as the work the current queue job leaves
   * behind. The answer is the block's own, or `retake`'s when a block before
   * it did not connect. Null, and nothing left, when `p`'s parent is neither.
   */
  push(p: Prepared, key: string, tip: BlockIndexEntry | null, retake: () => Promise<Accepted>): Promise<Accepted> | null {
    const before = this.list[this.list.length - 1];
    // The parent must be the last prepared block, or the tip when none is left
    // (it connected, or failed and took its children out, while `p` was prepared).
    const parent = p.entry.header.prevHash;
    if (before ? !bytesEqual(before.p.entry.hash, parent) : !(tip && bytesEqual(tip.hash, parent))) return null;
    const connected = (async (): Promise<Accepted | null> => {
      if (before && !(await before.connected.then((a) => a !== null, () => false))) return null;
      let durable: Durable;
      try {
        ({ durable } = await commitConnect(this.steps, p));
      } catch (e) {
        throw await this.failed(e, p.entry, key);
      }
      return { result: { status: 'connected', hash: p.entry.hash, height: p.entry.height, connected: [p.block], disconnected: [] }, durable };
    })();
    const ahead: Ahead = { p, connected };
    this.list.push(ahead);
    this.queue.leave(connected.then(() => undefined, () => undefined).finally(() => {
      const i = this.list.indexOf(ahead);
      if (i >= 0) this.list.splice(i, 1);
    }));
    const answer = connected.then((a) => a ?? retake());
    answer.catch(() => undefined);
    return answer;
  }
}
