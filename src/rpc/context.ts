// Builds the RPC methods' view of a running PubchainNode, including the block
// mining that generatetoaddress and `send` with mine=true do on the spot.
import type { Block } from '../core/block.js';
import { bytesEqual, hashToHex } from '../core/bytes.js';
import { PubchainError } from '../core/errors.js';
import { headerHash } from '../core/header.js';
import type { NetworkParams } from '../core/params.js';
import type { Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import { createSingleThreadSearcher } from '../mining/singleThread.js';
import { blockTemplate, mineTemplate } from '../mining/template.js';
import type { PubchainNode } from '../node/node.js';
import type { Peer } from '../p2p/peer.js';
import { SerialQueue } from '../chain/serialQueue.js';
import type { RpcNodeContext } from './types.js';
import { fullHeaderChain, fullWalletChain } from './fullPorts.js';

/** A block can lose the race to a peer's block or the node's own miner; it is mined again on the new tip. */
const MINE_ATTEMPTS = 5;

export interface RpcContextExtras {
  requestStop: () => void;
  /** Unix ms; defaults to now. */
  startedAt?: number;
}

export function rpcContextOf(node: PubchainNode, extras: RpcContextExtras): RpcNodeContext {
  const queue = new SerialQueue();
  const numbers = new WeakMap<Peer, number>();
  let nextNumber = 0;
  const mineBlocks = blockMiner(node.chain, node.mempool, (block) => node.protocol.submitMinedBlock(block), node.config.params);
  return {
    chain: node.chain,
    mempool: node.mempool,
    protocol: node.protocol,
    network: node.network,
    miner: node.miner,
    params: node.config.params,
    datadir: node.config.datadir,
    startedAt: extras.startedAt ?? Date.now(),
    p2pBind: node.config.bind,
    requestStop: extras.requestStop,
    mineBlocks,
    walletChain: fullWalletChain(node.chain, node.mempool, node.protocol, mineBlocks),
    headers: fullHeaderChain(node.chain),
    exclusive: (job) => queue.run(job),
    peerNumber: (peer) => {
      let n = numbers.get(peer);
      if (n === undefined) { n = nextNumber++; numbers.set(peer, n); }
      return n;
    },
  };
}

/**
 * Mines blocks one at a time on a single-thread searcher (regtest blocks take a
 * couple of hashes; no worker pool is worth starting), each on the block
 * template the node's own miner builds, and hands each to `submit` (the
 * node's processBlock path).
 */
export function blockMiner(chain: Chain, mempool: Mempool, submit: (block: Block) => Promise<unknown>, params: NetworkParams): RpcNodeContext['mineBlocks'] {
  return async (n, payoutPubKeyHash) => {
    const searcher = createSingleThreadSearcher();
    try {
      const hashes: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        for (let attempt = 1; ; attempt++) {
          const next = await chain.nextBlockContext();
          const block = await mineTemplate(blockTemplate(params, next, mempool, payoutPubKeyHash), searcher);
          if (!block) throw new PubchainError('mine-failed', 'mining stopped before a block was found');
          await submit(block);
          const hash = headerHash(block.header);
          const entry = await chain.getIndex(hash);
          if (entry && chain.tip && (bytesEqual(chain.tip.hash, hash) || (await chain.isOnMainChain(entry)))) {
            hashes.push(hash);
            break;
          }
          if (attempt >= MINE_ATTEMPTS) {
            throw new PubchainError('mine-failed', `block ${hashToHex(hash)} did not join the main chain after ${attempt} attempts (mined ${hashes.length} of ${n})`, { mined: hashes.map(hashToHex) });
          }
        }
      }
      return hashes;
    } finally {
      await searcher.close();
    }
  };
}
