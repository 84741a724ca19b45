// A node with no chain takes the genesis block of the first peer it syncs
// from, after checking its proof of work. One request at a time; a peer that
// never delivers (or leaves) must not leave the node without a chain, so after
// the stall time the request goes to the next ready peer.
import type { Block } from '../core/block.js';
import { bytesEqual, hashToHex } from '../core/bytes.js';
import type { NetworkParams } from '../core/params.js';
import { NULL_HASH } from '../core/tx.js';
import { checkProofOfWork } from '../core/validate.js';
import type { Chain } from '../chain/chain.js';
import { EV } from './logEvents.js';
import type { Logger } from './logger.js';
import type { Penalise } from './penalise.js';
import type { ProtocolPeer } from './peerPort.js';

export interface GenesisOptions {
  params: NetworkParams;
  chain: Chain;
  log: Logger;
  /** When set, only a chain with this genesis is adopted. */
  genesisPin?: Uint8Array;
  stallMs: number;
  /** Peers to ask next, and whether one of them is still ready. */
  peers: () => ProtocolPeer[];
  isReady: (peer: ProtocolPeer) => boolean;
  penalise: Penalise;
  /** The genesis block is in: sync the rest from this peer. */
  onAdopted: (peer: ProtocolPeer) => void;
}

export class GenesisAdoption {
  private requested = false;
  /** The peer asked for its genesis block, and the timer that gives up on it. */
  private from: ProtocolPeer | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: GenesisOptions) {}

  close(): void {
    this.settle();
  }

  /** Asks this peer for its genesis block, unless a request is out already. */
  requestFrom(peer: ProtocolPeer): void {
    const g = peer.remote.genesis;
    if (bytesEqual(g, NULL_HASH) || this.requested) return;
    if (this.o.genesisPin && !bytesEqual(g, this.o.genesisPin)) {
      this.o.log.warn({ peer: peer.id, genesis: hashToHex(g) }, 'peer is on another chain than --genesis; not adopting it');
      return;
    }
    this.requested = true;
    this.from = peer;
    this.timer = setTimeout(() => this.release(peer, 'did not deliver its genesis block'), this.o.stallMs);
    this.timer.unref();
    this.o.log.info({ peer: peer.id, genesis: hashToHex(g) }, 'no chain yet: fetching the genesis block');
    peer.sendGetData([{ kind: 'block', hash: g }]);
  }

  onPeerClose(peer: ProtocolPeer): void {
    if (this.from === peer) this.release(peer, 'left before delivering its genesis block');
  }

  /** A block arrived while we have no chain: adopt it if it is the genesis we asked this peer for. */
  async onCandidate(peer: ProtocolPeer, block: Block, hash: Uint8Array): Promise<void> {
    if (!bytesEqual(hash, peer.remote.genesis)) {
      // Not the block we asked for, and we have no chain to check it against yet; its proof
      // of work needs no context, so a block without any is still caught here.
      try { checkProofOfWork(hash, block.header.bits, this.o.params); } catch (err) { this.o.penalise(peer, err, EV.invalidBlock); }
      return;
    }
    try {
      await this.o.chain.initGenesis(block);
      this.o.log.info({ genesis: hashToHex(hash) }, 'adopted the genesis block');
      this.settle();
      this.o.onAdopted(peer);
    } catch (err) {
      this.requested = false;
      this.settle();
      this.o.penalise(peer, err, EV.invalidGenesis);
    }
  }

  /** The one place the outstanding request (its peer and its timer) ends. */
  private settle(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.from = null;
  }

  private release(peer: ProtocolPeer, why: string): void {
    if (this.from !== peer) return;
    this.settle();
    if (this.o.chain.tip) return;
    this.requested = false;
    this.o.log.info({ peer: peer.id }, `peer ${why}; asking another peer`);
    for (const other of this.o.peers()) {
      if (other === peer || !this.o.isReady(other)) continue;
      this.requestFrom(other);
      if (this.requested) return;
    }
  }
}
