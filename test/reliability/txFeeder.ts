// Keeps offering a fixed set of signed transactions to a node over the wire,
// again after every restart (a killed node loses its mempool, which is fine);
// what matters is that a transaction once stored in a block is never lost.
import type { Tx } from '../../src/core/tx.js';
import { serializeTx } from '../../src/core/tx.js';
import { WirePeer } from './wirePeer.js';

export class TxFeeder {
  private peer: WirePeer | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly txs: Tx[], private readonly genesis: Uint8Array) {}

  /** Connects to the node on `port` and offers every transaction now and every `everyMs`. */
  async attach(port: number, everyMs = 400): Promise<void> {
    this.detach();
    const peer = await WirePeer.connect(port, '127.0.0.1');
    await peer.handshake(this.genesis);
    this.peer = peer;
    const offer = (): void => { for (const tx of this.txs) peer.send({ command: 'tx', tx: serializeTx(tx) }); };
    offer();
    this.timer = setInterval(() => { if (!peer.closed) offer(); }, everyMs);
  }

  /** Stops offering, waits until the node has handled everything sent so far (its pong), then disconnects. */
  async drain(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.peer?.ping(20_000).catch(() => undefined);
    this.detach();
  }

  detach(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.peer?.close();
    this.peer = null;
  }
}
