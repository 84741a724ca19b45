// Builds the RPC methods' view of a running PubchainNode, including the block
// mining that generatetoaddress and `send` with mine=true do on the spot.
import { addAmounts } from '../core/amount.js';
import { bytesEqual, hashToHex } from '../core/bytes.js';
import { PubchainError } from '../core/errors.js';
import { headerHash } from '../core/header.js';
import type { NetworkParams } from '../core/params.js';
import type { Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import { createSingleThreadSearcher } from '../mining/pool.js';
import { mineBlock } from '../mining/template.js';
import type { PubchainNode } from '../node/node.js';
import type { NodeProtocol } from '../node/protocol.js';
import type { Peer } from '../p2p/peer.js';
import { SerialQueue } from '../chain/serialQueue.js';
import type { RpcNodeContext } from './types.js';

/** Room left in a block for the coinbase, as the miner loop leaves it. */
const COINBASE_ROOM = 1000;
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
    mineBlocks: blockMiner(node.chain, node.mempool, node.protocol, node.config.params),
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
 * couple of hashes; no worker pool is worth starting), each with what the
 * mempool offers, through the same path as the node's own miner.
 */
export function blockMiner(chain: Chain, mempool: Mempool, protocol: NodeProtocol, params: NetworkParams): RpcNodeContext['mineBlocks'] {
  return async (n, payoutPubKeyHash) => {
    const searcher = createSingleThreadSearcher();
    try {
      const hashes: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        for (let attempt = 1; ; attempt++) {
          const next = await chain.nextBlockContext();
          const txs = mempool.selectForBlock(params.maxBlockSize - COINBASE_ROOM);
          let fees = 0;
          for (const tx of txs) fees = addAmounts(fees, mempool.feeOf(tx) ?? 0);
          const block = await mineBlock(params, next, txs, { pubKeyHash: payoutPubKeyHash, fees }, searcher);
          if (!block) throw new PubchainError('mine-failed', 'mining stopped before a block was found');
          await protocol.submitMinedBlock(block);
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
