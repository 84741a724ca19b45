// What the node's protocol logic needs from a connected, handshaken peer. The
// p2p layer's Peer is adapted to this in node.ts, which keeps the sync and relay
// rules testable and independent of socket details.

export type InvKind = 'block' | 'tx';

export interface InvItem {
  kind: InvKind;
  hash: Uint8Array;
}

export interface RemoteVersion {
  bestHeight: number;
  work: bigint;
  /** All-zero when the peer has no chain yet. */
  genesis: Uint8Array;
}

export interface ProtocolPeer {
  readonly id: string;
  readonly remote: RemoteVersion;
  sendGetBlocks(locator: Uint8Array[], stop?: Uint8Array): void;
  sendInv(items: InvItem[]): void;
  sendGetData(items: InvItem[]): void;
  sendNotFound(items: InvItem[]): void;
  sendBlock(bytes: Uint8Array): void;
  sendTx(bytes: Uint8Array): void;
  sendReject?(code: string, reason: string, hash?: Uint8Array): void;
  misbehave(score: number, reason: string): void;
  disconnect(reason: string): void;
}
