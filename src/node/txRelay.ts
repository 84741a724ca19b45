// Transaction relay: a transaction from a peer (or from our wallet's RPC) is
// validated by the mempool and announced to every other peer. Recently
// rejected ids are not fetched again; transactions announced while we are
// behind a peer wait until we catch up, when their inputs can be checked.
import { bytesKey, hashToHex } from '../core/bytes.js';
import type { ValidationError } from '../core/errors.js';
import { parseTx, Tx, txid } from '../core/tx.js';
import type { Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import { MAX_INV_ITEMS } from '../p2p/messages.js';
import { EV } from './logEvents.js';
import type { Logger } from './logger.js';
import type { Penalise } from './penalise.js';
import type { ProtocolPeer } from './peerPort.js';

/** Past this many remembered rejects the memory starts over. */
const RECENT_REJECTS = 10_000;

export interface TxRelayOptions {
  chain: Chain;
  mempool: Mempool;
  log: Logger;
  peers: () => ProtocolPeer[];
  penalise: Penalise;
  /** Told about accepted transactions (the miner listens). */
  onTx?: () => void;
}

export interface TxResult { ok: boolean; txid?: Uint8Array; error?: ValidationError }

export class TxRelay {
  private readonly recentRejects = new Set<string>();
  /** Per ready peer: transactions it announced while we were behind it. */
  private readonly deferred = new Map<ProtocolPeer, Uint8Array[]>();

  constructor(private readonly o: TxRelayOptions) {}

  onPeerReady(peer: ProtocolPeer): void { this.deferred.set(peer, []); }
  onPeerClose(peer: ProtocolPeer): void { this.deferred.delete(peer); }

  /**
   * Pending transactions reach a miner that joins after they were sent (the tutorial's
   * miner starts late); our peers are few, so the whole pool in one inv is cheap.
   */
  announcePending(peer: ProtocolPeer): void {
    const pending = this.o.mempool.txids().slice(0, MAX_INV_ITEMS);
    if (pending.length > 0) peer.sendInv(pending.map((hash) => ({ kind: 'tx' as const, hash })));
  }

  private wanted(hashes: Uint8Array[]): Uint8Array[] {
    return hashes.filter((h) => !this.o.mempool.has(h) && !this.recentRejects.has(bytesKey(h)));
  }

  onTxInv(peer: ProtocolPeer, hashes: Uint8Array[]): void {
    const want = this.wanted(hashes);
    if (want.length === 0) return;
    const tip = this.o.chain.tip;
    if (!tip || tip.height < peer.remote.bestHeight) {
      const held = this.deferred.get(peer);
      if (held) this.deferred.set(peer, [...held, ...want].slice(-MAX_INV_ITEMS));
      return;
    }
    peer.sendGetData(want.map((hash) => ({ kind: 'tx' as const, hash })));
  }

  /** The tip reached `height`: fetch what peers we have now caught up with announced. */
  fetchDeferred(height: number): void {
    for (const [peer, held] of this.deferred) {
      if (held.length === 0 || height < peer.remote.bestHeight) continue;
      const want = this.wanted(held);
      this.deferred.set(peer, []);
      if (want.length > 0) peer.sendGetData(want.map((hash) => ({ kind: 'tx' as const, hash })));
    }
  }

  /** Transactions back from a reorg are news to peers (and to our miner) that only saw them in a block. */
  announceReturned(txs: Tx[]): void {
    const items = txs.map((tx) => txid(tx)).filter((id) => this.o.mempool.has(id)).map((hash) => ({ kind: 'tx' as const, hash }));
    if (items.length === 0) return;
    for (let i = 0; i < items.length; i += MAX_INV_ITEMS) {
      const chunk = items.slice(i, i + MAX_INV_ITEMS);
      for (const p of this.o.peers()) p.sendInv(chunk);
    }
    this.o.onTx?.();
  }

  async onTxBytes(peer: ProtocolPeer | null, bytes: Uint8Array): Promise<TxResult> {
    let tx: Tx;
    try {
      tx = parseTx(bytes);
    } catch (err) {
      if (peer) this.o.penalise(peer, err, EV.malformedTx);
      return { ok: false, error: err as ValidationError };
    }
    return this.acceptTx(tx, peer);
  }

  async acceptTx(tx: Tx, from: ProtocolPeer | null): Promise<TxResult> {
    const id = txid(tx);
    if (this.o.mempool.has(id)) return { ok: true, txid: id };
    try {
      await this.o.mempool.accept(tx);
    } catch (err) {
      this.recentRejects.add(bytesKey(id));
      if (this.recentRejects.size > RECENT_REJECTS) this.recentRejects.clear();
      if (from) {
        from.sendReject?.((err as ValidationError).code ?? 'invalid', (err as Error).message, id);
        this.o.penalise(from, err, EV.invalidTx);
      }
      return { ok: false, txid: id, error: err as ValidationError };
    }
    this.o.log.debug({ txid: hashToHex(id), mempool: this.o.mempool.size }, 'accepted transaction');
    for (const p of this.o.peers()) if (p !== from) p.sendInv([{ kind: 'tx', hash: id }]);
    this.o.onTx?.();
    return { ok: true, txid: id };
  }
}
