// What the RPC methods see of a running node, and the shape of a method.
import type { Chain } from '../chain/chain.js';
import type { NetworkParams } from '../core/params.js';
import type { Mempool } from '../mempool/mempool.js';
import type { StratumServer } from '../mining/stratum/server.js';
import type { MinerLoop } from '../node/minerLoop.js';
import type { NetworkHandle } from '../node/network.js';
import type { NodeProtocol } from '../node/protocol.js';
import type { Peer } from '../p2p/peer.js';

export interface RpcNodeContext {
  chain: Chain;
  mempool: Mempool;
  protocol: NodeProtocol;
  network: NetworkHandle;
  /** The node's own miner loop, when it was started with a payout address. */
  miner: MinerLoop | null;
  params: NetworkParams;
  /** The Stratum server, when the node was started with --stratum-port. */
  stratum?: StratumServer | null;
  /** Where the wallet and the cookie live. */
  datadir: string;
  /** Unix milliseconds the node started at (for `uptime`). */
  startedAt: number;
  /** The address the p2p listener is bound to (for getnetworkinfo). */
  p2pBind: string;
  /** Asks the process to shut down; `stop` answers first, then this runs. */
  requestStop(): void;
  /**
   * Mines `n` blocks on the tip, one after another, each holding what the
   * mempool offers, paying `payoutPubKeyHash`; resolves with their hashes once
   * every one is connected. Callers run it inside `exclusive`, so no wallet
   * send changes the mempool between template and block.
   */
  mineBlocks(n: number, payoutPubKeyHash: Uint8Array): Promise<Uint8Array[]>;
  /**
   * Runs jobs that read the tip and the mempool and then change them (wallet
   * sends, RPC mining) one at a time, so two calls never build on the same coins.
   */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
  /** Small numbers for peers, stable while they stay connected, as bitcoind's getpeerinfo shows. */
  peerNumber(peer: Peer): number;
  /** Told of every call to a known method, with its duration (metrics). */
  observeCall?: (method: string, ms: number) => void;
}

export interface ParamSpec {
  name: string;
  optional?: boolean;
}

export interface RpcMethod {
  name: string;
  /** In positional order; named params (an object) are mapped onto these names. */
  params: ParamSpec[];
  description: string;
  /** `args` has been checked for arity; each method checks types and ranges itself. */
  run(ctx: RpcNodeContext, args: unknown[]): unknown;
}
