// What the RPC methods see of a running node, and the shape of a method.
import type { Chain } from '../chain/chain.js';
import type { NetworkParams } from '../core/params.js';
import type { Mempool } from '../mempool/mempool.js';
import type { StratumServer } from '../mining/stratum/server.js';
import type { MinerLoop } from '../node/minerLoop.js';
import type { NetworkHandle } from '../node/network.js';
import type { NodeProtocol } from '../node/protocol.js';
import type { Peer } from '../p2p/peer.js';
import type { HeaderChainPort, WalletChainPort } from './ports.js';

/** What every node kind's context holds: the methods shared by full and light nodes read only this. */
export interface RpcBaseContext {
  params: NetworkParams;
  /** Where the wallet and the cookie live. */
  datadir: string;
  /** Unix milliseconds the node started at (for `uptime`). */
  startedAt: number;
  /** Asks the process to shut down; `stop` answers first, then this runs. */
  requestStop(): void;
  /** Runs jobs that read the coins (and the mempool) and then change them (wallet sends, RPC mining) one at a time, so two calls never build on the same coins. */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
  /** The wallet's coins and how a signed transaction leaves (full node: UTXO set + mempool; light node: its coin store). */
  walletChain: WalletChainPort;
  /** The header chain proofs are checked against and heights are read from. */
  headers: HeaderChainPort;
  /** Told of every call to a known method, with its duration (metrics). */
  observeCall?: (method: string, ms: number) => void;
}

export interface RpcNodeContext extends RpcBaseContext {
  chain: Chain;
  mempool: Mempool;
  protocol: NodeProtocol;
  network: NetworkHandle;
  /** The node's own miner loop, when it was started with a payout address. */
  miner: MinerLoop | null;
  /** The Stratum server, when the node was started with --stratum-port. */
  stratum?: StratumServer | null;
  /** The address the p2p listener is bound to (for getnetworkinfo). */
  p2pBind: string;
  /**
   * Mines `n` blocks on the tip, one after another, each holding what the
   * mempool offers, paying `payoutPubKeyHash`; resolves with their hashes once
   * every one is connected. Callers run it inside `exclusive`, so no wallet
   * send changes the mempool between template and block.
   */
  mineBlocks(n: number, payoutPubKeyHash: Uint8Array): Promise<Uint8Array[]>;
  /** Small numbers for peers, stable while they stay connected, as bitcoind's getpeerinfo shows. */
  peerNumber(peer: Peer): number;
}

export interface ParamSpec {
  name: string;
  optional?: boolean;
}

/** A method run against context C; one written for RpcBaseContext serves every node kind. */
export interface RpcMethod<C extends RpcBaseContext = RpcNodeContext> {
  name: string;
  /** In positional order; named params (an object) are mapped onto these names. */
  params: ParamSpec[];
  description: string;
  /** `args` has been checked for arity; each method checks types and ranges itself. */
  run(ctx: C, args: unknown[]): unknown;
}
