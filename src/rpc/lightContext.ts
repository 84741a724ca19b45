// The RPC methods' view of a running light node (startnode --spv): the wallet
// port over its coin store (sends are recorded as pending, then broadcast to
// the full peers) and the header port over its header chain.
import { toHex } from '../core/bytes.js';
import { PubchainError } from '../core/errors.js';
import { headerHash } from '../core/header.js';
import type { NetworkParams } from '../core/params.js';
import { txid } from '../core/tx.js';
import { SerialQueue } from '../chain/serialQueue.js';
import type { LightNode } from '../node/spv/lightNode.js';
import type { LightHeaders } from '../node/spv/lightHeaders.js';
import type { HeaderEntry } from '../node/headerSyncChain.js';
import type { LightCoins } from '../wallet/lightCoins.js';
import type { ChainHeader, HeaderChainPort, WalletChainPort } from './ports.js';
import { MISC_ERROR, noChain, RpcError } from './rpcErrors.js';
import type { RpcBaseContext } from './types.js';

export interface LightRpcContext extends RpcBaseContext {
  light: LightNode;
  coins: LightCoins;
  /** Reads the wallet's addresses again into the watch set. */
  refreshWatched(): Promise<void>;
  /** Small numbers for peers, stable while they stay connected (getpeerinfo's id). */
  peerNumber(id: string): number;
}

export interface LightContextOptions {
  params: NetworkParams;
  datadir: string;
  requestStop(): void;
  refreshWatched(): Promise<void>;
  startedAt?: number;
}

export const notOnLight = (what: string): RpcError => new RpcError(MISC_ERROR, `${what} is not available on a light wallet (--spv)`);

export function lightWalletChain(node: LightNode, coins: LightCoins): WalletChainPort {
  return {
    tipHeight: () => {
      const tip = coins.tip();
      if (!tip) throw noChain();
      return tip.height;
    },
    spendable: async (owners) => coins.spendable(owners),
    balanceOf: async (pkh) => {
      const hex = toHex(pkh);
      if (!coins.watched().some((w) => toHex(w) === hex)) throw notOnLight('the balance of an address outside this wallet (it follows only its own addresses)');
      return coins.confirmedBalance(pkh);
    },
    submit: async (tx) => {
      // On disk first: a crash after the broadcast still knows the coins are spent.
      await coins.addPending(tx);
      try {
        await node.broadcast(tx);
      } catch (err) {
        await coins.dropPending(txid(tx));
        throw new PubchainError('no-peers', `the transaction was not sent: ${(err as Error).message}`);
      }
    },
    coinsOf: null,
    mineWith: null,
  };
}

export function lightHeaderChain(node: LightNode): HeaderChainPort {
  const at = (height: number): ChainHeader | null => {
    const header = node.headerAt(height);
    return header ? { height, hash: headerHash(header), header } : null;
  };
  return {
    tip: () => {
      const t = node.syncedTip();
      return t ? at(t.height) : null;
    },
    atHeight: async (height) => {
      const t = node.syncedTip();
      return t && height <= t.height ? at(height) : null;
    },
    onBestChain: async (hash) => {
      const e = node.headerByHash(hash);
      return e ? { height: e.height, hash, header: e.header } : null;
    },
    txCount: async () => null,
  };
}

/** A light wallet's stored header chain as the proofs see it, while the node is stopped (the CLI's verifytxoutproof). */
export function storedHeaderChain(headers: LightHeaders): HeaderChainPort {
  const of = (e: HeaderEntry | null): ChainHeader | null => (e ? { height: e.height, hash: e.hash, header: e.header } : null);
  return {
    tip: () => of(headers.tipEntry()),
    atHeight: async (height) => of(headers.at(height)),
    onBestChain: async (hash) => of(headers.onBest(hash)),
    txCount: async () => null,
  };
}

export function lightRpcContext(node: LightNode, coins: LightCoins, o: LightContextOptions): LightRpcContext {
  const queue = new SerialQueue();
  const numbers = new Map<string, number>();
  let next = 0;
  return {
    params: o.params, datadir: o.datadir, startedAt: o.startedAt ?? Date.now(), requestStop: o.requestStop,
    exclusive: (job) => queue.run(job),
    walletChain: lightWalletChain(node, coins),
    headers: lightHeaderChain(node),
    light: node, coins, refreshWatched: o.refreshWatched,
    peerNumber: (id) => {
      let n = numbers.get(id);
      if (n === undefined) {
        n = next++;
        numbers.set(id, n);
        // Forget peers that left, so the map stays as small as the peer list.
        if (numbers.size > 1000) { const live = new Set(node.peers().map((p) => p.id)); for (const k of numbers.keys()) if (!live.has(k)) numbers.delete(k); }
      }
      return n;
    },
  };
}
