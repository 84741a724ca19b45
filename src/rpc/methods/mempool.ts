// The mempool: what is waiting to be mined.
import { hashToHex } from '../../core/bytes.js';
import { DEFAULT_MEMPOOL_BYTES } from '../../mempool/mempool.js';
import type { RpcMethod } from '../types.js';

export const mempoolMethods: RpcMethod[] = [
  {
    name: 'getrawmempool',
    params: [],
    description: 'Txids in the mempool, parents before children.',
    run: (ctx) => ctx.mempool.txids().map(hashToHex),
  },
  {
    name: 'getmempoolinfo',
    params: [],
    description: 'Transactions in the mempool, their serialized bytes, and the byte limit.',
    // The node runs its mempool at the default limit (Mempool keeps its own limit private).
    run: (ctx) => ({ size: ctx.mempool.size, bytes: ctx.mempool.bytes, maxmempool: DEFAULT_MEMPOOL_BYTES }),
  },
];
