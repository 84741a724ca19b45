// The mempool: what is waiting to be mined, and each transaction's place in it.
import { hashToHex, toHex } from '../../core/bytes.js';
import { Tx, txSize } from '../../core/tx.js';
import type { Mempool } from '../../mempool/mempool.js';
import { coins } from '../json.js';
import { notFound } from '../rpcErrors.js';
import type { RpcMethod } from '../types.js';
import { hash, optBool } from './params.js';

interface Node { id: Uint8Array; tx: Tx; size: number; fee: number; parents: Set<string>; children: Set<string> }

/** The pool as a graph: who spends whom among its transactions. */
function poolGraph(pool: Mempool): Map<string, Node> {
  const g = new Map<string, Node>();
  for (const id of pool.txids()) {
    const tx = pool.get(id);
    if (tx) g.set(toHex(id), { id, tx, size: txSize(tx), fee: pool.feeOf(tx) ?? 0, parents: new Set(), children: new Set() });
  }
  for (const [key, n] of g) {
    for (const i of n.tx.inputs) {
      const parent = g.get(toHex(i.prevTxid));
      if (parent) { n.parents.add(toHex(i.prevTxid)); parent.children.add(key); }
    }
  }
  return g;
}

/** The node and every transaction reached by following `dir`, itself included (as bitcoind counts). */
function reach(g: Map<string, Node>, start: string, dir: 'parents' | 'children'): Node[] {
  const seen = new Set([start]);
  const todo = [start];
  const out: Node[] = [];
  while (todo.length > 0) {
    const n = g.get(todo.pop()!);
    if (!n) continue;
    out.push(n);
    for (const k of n[dir]) if (!seen.has(k)) { seen.add(k); todo.push(k); }
  }
  return out;
}

const sum = (nodes: Node[], f: (n: Node) => number): number => nodes.reduce((s, n) => s + f(n), 0);

/** bitcoind's mempool entry shape (amounts in coins, sizes in bytes; pubchain has no witness, so vsize = size). */
function entryJson(pool: Mempool, g: Map<string, Node>, key: string): Record<string, unknown> {
  const n = g.get(key)!;
  const up = reach(g, key, 'parents');
  const down = reach(g, key, 'children');
  return {
    vsize: n.size,
    weight: n.size * 4,
    time: Math.floor((pool.entryTime(n.id) ?? Date.now()) / 1000),
    descendantcount: down.length,
    descendantsize: sum(down, (x) => x.size),
    ancestorcount: up.length,
    ancestorsize: sum(up, (x) => x.size),
    wtxid: hashToHex(n.id),
    fees: { base: coins(n.fee), modified: coins(n.fee), ancestor: coins(sum(up, (x) => x.fee)), descendant: coins(sum(down, (x) => x.fee)) },
    depends: [...n.parents].map((k) => hashToHex(g.get(k)!.id)),
    spentby: [...n.children].map((k) => hashToHex(g.get(k)!.id)),
    'bip125-replaceable': false,
    unbroadcast: false,
  };
}

export const mempoolMethods: RpcMethod[] = [
  {
    name: 'getrawmempool',
    params: [{ name: 'verbose', optional: true }],
    description: 'Txids in the mempool, parents before children; verbose: an object of txid → entry (as getmempoolentry).',
    run: (ctx, [verbose]) => {
      if (!optBool(verbose, 'verbose', false)) return ctx.mempool.txids().map(hashToHex);
      const g = poolGraph(ctx.mempool);
      const out: Record<string, unknown> = {};
      for (const [key, n] of g) out[hashToHex(n.id)] = entryJson(ctx.mempool, g, key);
      return out;
    },
  },
  {
    name: 'getmempoolentry',
    params: [{ name: 'txid' }],
    description: 'One mempool transaction: sizes, fees, ancestors and descendants in the pool.',
    run: (ctx, [txid]) => {
      const id = hash(txid, 'txid');
      if (!ctx.mempool.has(id)) throw notFound('Transaction not in mempool');
      return entryJson(ctx.mempool, poolGraph(ctx.mempool), toHex(id));
    },
  },
  {
    name: 'getmempoolinfo',
    params: [],
    description: 'Transactions in the mempool, their serialized bytes, and the byte limit.',
    run: (ctx) => ({ loaded: true, size: ctx.mempool.size, bytes: ctx.mempool.bytes, usage: ctx.mempool.bytes, maxmempool: ctx.mempool.maxBytes }),
  },
];
