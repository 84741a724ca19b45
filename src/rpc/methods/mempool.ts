// The mempool: what is waiting to be mined.
import { hashToHex } from '../../core/bytes.js';
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
    run: (ctx) => ({ size: ctx.mempool.size, bytes: ctx.mempool.bytes, maxmempool: ctx.mempool.maxBytes }),
  },
];
