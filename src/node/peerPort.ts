// What the node's protocol logic needs from a connected, handshaken peer. The
// p2p layer's Peer is adapted to this in network.ts (PeerAdapter), which keeps
// the sync and relay rules testable and independent of socket details.
import type { BlockHeader } from '../core/header.js';
import type { FilterMessage } from '../p2p/filterMessages.js';
import type { InvItem } from '../p2p/messages.js';

export interface RemoteVersion {
  bestHeight: number;
  work: bigint;
  /** All-zero when the peer has no chain yet. */
  genesis: Uint8Array;
  /** Service bits from its version (NODE_HEADERS: it answers getheaders); 0 or absent from older nodes. */
  services?: bigint;
}

export interface ProtocolPeer {
  readonly id: string;
  readonly remote: RemoteVersion;
  sendGetBlocks(locator: Uint8Array[], stop?: Uint8Array): void;
  sendGetHeaders(locator: Uint8Array[], stop?: Uint8Array): void;
  sendHeaders(headers: BlockHeader[]): void;
  sendInv(items: InvItem[]): void;
  sendGetData(items: InvItem[]): void;
  sendNotFound(items: InvItem[]): void;
  sendBlock(bytes: Uint8Array): void;
  /** Several blocks in order, written at once (a getdata batch); sendBlock for each when absent. */
  sendBlocks?(blocks: readonly Uint8Array[]): void;
  sendTx(bytes: Uint8Array): void;
  sendReject?(code: string, reason: string, hash?: Uint8Array): void;
  /** BIP157 answers (cfilter, cfheaders, cfcheckpt) and requests. */
  sendFilterMessage?(m: FilterMessage): void;
  misbehave(score: number, reason: string): void;
  disconnect(reason: string): void;
  /** True once the connection is gone: work queued for it is dropped. */
  readonly closed: boolean;
  /** Bytes waiting in our send queue to this peer. */
  readonly sendQueueBytes: number;
  /** Resolves when the send queue has drained or the peer is gone. */
  drained(): Promise<void>;
}
