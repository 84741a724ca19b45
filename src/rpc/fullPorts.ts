// The full node's side of the wallet's port (src/rpc/ports.ts): unspent chain
// coins that no mempool transaction spends, then outputs of mempool
// transactions paying the wallet that none spends yet (change from an earlier
// send, confirmations 0); transactions go through the node's protocol (checked
// as a peer's would be, then relayed). And its header chain, from the block index.
import { bytesEqual, hashToHex } from '../core/bytes.js';
import { PubchainError } from '../core/errors.js';
import { outpointKey, Tx, txid } from '../core/tx.js';
import type { Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import type { NodeProtocol } from '../node/protocol.js';
import type { SpendableCoin } from '../wallet/transfers.js';
import type { ChainHeader, HeaderChainPort, WalletChainPort } from './ports.js';
import type { RpcNodeContext } from './types.js';
import { requireTip } from './methods/blockJson.js';

export function fullWalletChain(chain: Chain, mempool: Mempool, protocol: NodeProtocol, mineBlocks: RpcNodeContext['mineBlocks']): WalletChainPort {
  return {
    tipHeight: () => requireTip(chain).height,
    // Read inside the chain's queue, where the UTXO set and the mempool agree.
    spendable: (owners) => chain.exclusive(async () => {
      const out = new Map<string, SpendableCoin[]>();
      for (const pkh of owners) {
        const key = hashToHex(pkh);
        if (out.has(key)) continue;
        const confirmed = (await chain.coinsOf(pkh)).filter((c) => !mempool.isSpent(outpointKey(c.txid, c.vout)));
        out.set(key, confirmed);
      }
      for (const id of mempool.txids()) {
        const tx = mempool.get(id);
        tx?.outputs.forEach((o, vout) => {
          const list = out.get(hashToHex(o.pubKeyHash));
          if (list && !mempool.isSpent(outpointKey(id, vout))) list.push({ txid: id, vout, coin: { value: o.value, pubKeyHash: o.pubKeyHash, height: 0 } });
        });
      }
      return out;
    }),
    balanceOf: (pkh) => chain.balanceOf(pkh),
    submit: async (tx) => {
      const r = await protocol.acceptTx(tx, null);
      if (!r.ok) throw r.error ?? new PubchainError('tx-rejected', 'the transaction was rejected');
    },
    coinsOf: (pkh) => chain.coinsOf(pkh),
    mineWith: async (payout, txs) => {
      const [hash] = await mineBlocks(1, payout);
      await requireIncluded(chain, hash!, txs);
      return hash!;
    },
  };
}

async function requireIncluded(chain: Chain, hash: Uint8Array, txs: Tx[]): Promise<void> {
  const block = await chain.getBlock(hash);
  const inBlock = new Set((block?.txs ?? []).map((t) => hashToHex(txid(t))));
  const missing = txs.map((t) => hashToHex(txid(t))).filter((id) => !inBlock.has(id));
  if (missing.length > 0) {
    throw new PubchainError('mine-failed', `block ${hashToHex(hash)} was mined without ${missing.join(', ')} (the mempool holds more than a block); they stay in the mempool`);
  }
}

export function fullHeaderChain(chain: Chain): HeaderChainPort {
  const point = (e: { height: number; hash: Uint8Array; header: ChainHeader['header'] }): ChainHeader => ({ height: e.height, hash: e.hash, header: e.header });
  return {
    tip: () => (chain.tip ? point(chain.tip) : null),
    atHeight: async (height) => {
      const tip = chain.tip;
      if (!tip || !Number.isInteger(height) || height < chain.params.genesisHeight || height > tip.height) return null;
      const hash = await chain.getHashAtHeight(height);
      const entry = hash && (await chain.getIndex(hash));
      return entry ? point(entry) : null;
    },
    onBestChain: async (hash) => {
      const entry = await chain.getIndex(hash);
      return entry && (await chain.isOnMainChain(entry)) && bytesEqual(entry.hash, hash) ? point(entry) : null;
    },
    txCount: async (hash) => (await chain.getBlock(hash))?.txs.length ?? null,
  };
}
