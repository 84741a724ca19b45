// Answers to what peers ask of us: getblocks (an inv of the hashes after their
// locator) and getdata (blocks from the chain, transactions from the mempool,
// notfound for the rest). getdata is served one request at a time per peer, in
// the order asked, and waits for a slow reader's socket to drain.
import { bytesEqual } from '../core/bytes.js';
import { NULL_HASH, serializeTx } from '../core/tx.js';
import type { Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import type { InvItem } from '../p2p/messages.js';
import { MAX_INV_ANSWER } from './blockSync.js';
import type { ProtocolPeer } from './peerPort.js';

/** Blocks read from the database per round trip when serving getdata. */
const GETDATA_READ_BATCH = 64;
/** Past this many bytes queued to a peer, serving waits for its socket to drain. */
const SEND_QUEUE_HIGH_WATER = 4 * 1024 * 1024;

export class RequestServer {
  /** Each ready peer's getdata answers, chained so they go out in order. */
  private readonly serving = new Map<ProtocolPeer, Promise<void>>();

  constructor(private readonly chain: Chain, private readonly mempool: Mempool) {}

  onPeerReady(peer: ProtocolPeer): void { this.serving.set(peer, Promise.resolve()); }
  onPeerClose(peer: ProtocolPeer): void { this.serving.delete(peer); }

  async onGetBlocks(peer: ProtocolPeer, locator: Uint8Array[], stop: Uint8Array | undefined): Promise<void> {
    if (!this.chain.tip) return;
    const hashes = await this.chain.hashesAfterLocator(locator, MAX_INV_ANSWER, stop && !bytesEqual(stop, NULL_HASH) ? stop : undefined);
    if (hashes.length > 0) peer.sendInv(hashes.map((hash) => ({ kind: 'block' as const, hash })));
  }

  /** Served one request at a time per peer, so blocks go out in the order they were asked for. */
  onGetData(peer: ProtocolPeer, items: InvItem[]): Promise<void> {
    const before = this.serving.get(peer);
    if (!before) return this.serveGetData(peer, items);
    const next = before.then(() => this.serveGetData(peer, items));
    this.serving.set(peer, next.catch(() => undefined));
    return next;
  }

  private async serveGetData(peer: ProtocolPeer, items: InvItem[]): Promise<void> {
    const missing: InvItem[] = [];
    // Blocks are read in batches, one round trip to the database per batch, and sent in order.
    for (let i = 0; i < items.length; i += GETDATA_READ_BATCH) {
      // A peer that left needs no answer; one that reads slowly gets its blocks as it reads,
      // rather than all of them piled up in our memory.
      if (peer.closed) return;
      if (peer.sendQueueBytes > SEND_QUEUE_HIGH_WATER) await peer.drained();
      const slice = items.slice(i, i + GETDATA_READ_BATCH);
      const blockItems = slice.filter((it) => it.kind === 'block');
      const bytes = blockItems.length > 0 ? await this.chain.getBlocksBytes(blockItems.map((it) => it.hash)) : [];
      // Runs of blocks go out together (one buffer, one write), still in the order asked.
      let b = 0;
      const run: Uint8Array[] = [];
      const flush = (): void => {
        if (run.length === 0) return;
        if (peer.sendBlocks) peer.sendBlocks(run); else for (const data of run) peer.sendBlock(data);
        run.length = 0;
      };
      for (const item of slice) {
        if (item.kind === 'block') {
          const data = bytes[b++];
          if (data) run.push(data); else missing.push(item);
        } else {
          flush();
          const tx = this.mempool.get(item.hash);
          if (tx) peer.sendTx(serializeTx(tx)); else missing.push(item);
        }
      }
      flush();
    }
    if (missing.length > 0) peer.sendNotFound(missing);
  }
}
