// A light node's method table (startnode --spv). The wallet methods,
// verifytxoutproof, the tip methods, stop and uptime are the full node's own
// code over the ports (src/rpc/ports.ts); chain summaries and peers are read
// from the light node. Every other method of the full node answers -1 "not
// available on a light wallet (--spv)", so a client learns why at once.
import { hashToHex, toHex } from '../../core/bytes.js';
import { medianTimePast } from '../../core/difficulty.js';
import { headerHash, serializeHeader } from '../../core/header.js';
import { notOnLight, type LightRpcContext } from '../lightContext.js';
import { notFound } from '../rpcErrors.js';
import type { RpcMethod } from '../types.js';
import { bitsHex, difficultyOf } from './blockJson.js';
import { tipMethods } from './chain.js';
import { sizeOnDisk } from './chainInfo.js';
import { methodTable, tableOf } from './index.js';
import { nodeMethods } from './node.js';
import { hash, optBool } from './params.js';
import { verifyTxOutProofMethod } from './proofs.js';
import { walletMethods } from './wallet.js';
import { walletKeyMethods } from './walletKeys.js';

/** Methods that can add addresses: the watch set is read again before they answer. */
const ADDS_ADDRESSES = new Set(['getnewaddress', 'restorewallet']);

function medianTimeAt(ctx: LightRpcContext, height: number): number {
  const times: number[] = [];
  for (let h = height; h >= ctx.params.genesisHeight && times.length < ctx.params.medianTimeSpan; h--) {
    const header = ctx.light.headerAt(h);
    if (!header) break;
    times.push(header.time);
  }
  return medianTimePast(times);
}

const lightMethods: RpcMethod<LightRpcContext>[] = [
  {
    name: 'getblockchaininfo',
    params: [],
    description: 'The network; blocks: the height the light wallet has matched filters to; headers: its best header; sync progress; size on disk; the genesis hash.',
    run: async (ctx) => {
      const headerTip = ctx.light.headerTip();
      const headers = Math.max(0, headerTip.height);
      const tip = ctx.headers.tip();
      const blocks = tip?.height ?? 0;
      const best = Math.max(headers, ...ctx.light.peers().map((p) => p.startingHeight));
      const progress = best === 0 ? 0 : blocks / best;
      const genesis = ctx.light.headerAt(ctx.params.genesisHeight);
      return {
        chain: ctx.params.name,
        blocks,
        headers,
        bestblockhash: tip ? hashToHex(tip.hash) : null,
        difficulty: difficultyOf(ctx.params, tip?.header.bits ?? ctx.params.genesisBits),
        time: tip?.header.time ?? null,
        mediantime: tip ? medianTimeAt(ctx, tip.height) : null,
        verificationprogress: progress,
        initialblockdownload: tip === null || progress < 1,
        size_on_disk: await sizeOnDisk(ctx.datadir),
        pruned: false,
        spv: true,
        warnings: [],
        genesis: genesis ? hashToHex(headerHash(genesis)) : null,
      };
    },
  },
  {
    name: 'getblockheader',
    params: [{ name: 'blockhash' }, { name: 'verbose', optional: true }],
    description: 'A header of the best header chain: verbose (default) as an object, or the 80 serialized bytes as hex.',
    run: (ctx, [blockhash, verbose]) => {
      const v = optBool(verbose, 'verbose', true);
      const id = hash(blockhash, 'blockhash');
      const e = ctx.light.headerByHash(id);
      if (!e) throw notFound('Block not found');
      const h = e.header;
      if (!v) return toHex(serializeHeader(h));
      const tip = ctx.light.headerTip().height;
      const next = e.height < tip ? ctx.light.headerAt(e.height + 1) : null;
      const out: Record<string, unknown> = {
        hash: hashToHex(id), confirmations: tip - e.height + 1, height: e.height, version: h.version,
        versionHex: (h.version >>> 0).toString(16).padStart(8, '0'), merkleroot: hashToHex(h.merkleRoot), time: h.time,
        mediantime: medianTimeAt(ctx, e.height), nonce: h.nonce, bits: bitsHex(h.bits), difficulty: difficultyOf(ctx.params, h.bits),
      };
      if (e.height > ctx.params.genesisHeight) out.previousblockhash = hashToHex(h.prevHash);
      if (next) out.nextblockhash = hashToHex(headerHash(next));
      return out;
    },
  },
  {
    name: 'getpeerinfo',
    params: [],
    description: 'Connected full peers that finished the handshake.',
    run: (ctx) => ctx.light.peers().map((p) => ({
      id: ctx.peerNumber(p.id), addr: p.id, inbound: p.inbound, startingheight: p.startingHeight, subver: p.userAgent,
      services: p.services.toString(16).padStart(16, '0'), synced_headers: p.syncedHeaders,
      conntime: Math.floor(p.connectedAt / 1000), pingtime: p.pingMs === null ? null : p.pingMs / 1000,
      bytessent: p.bytesOut, bytesrecv: p.bytesIn, banscore: p.banScore,
    })),
  },
  {
    name: 'getconnectioncount',
    params: [],
    description: 'Number of peers that finished the handshake (the ones getpeerinfo lists).',
    run: (ctx) => ctx.light.peers().length,
  },
];

/** Refreshes the watch set once a method that can add addresses has answered. */
function watching(m: RpcMethod<LightRpcContext>): RpcMethod<LightRpcContext> {
  if (!ADDS_ADDRESSES.has(m.name)) return m;
  return { ...m, run: async (ctx, args) => { const r = await m.run(ctx, args); await ctx.refreshWatched(); return r; } };
}

export function lightMethodTable(): ReadonlyMap<string, RpcMethod<LightRpcContext>> {
  const own: RpcMethod<LightRpcContext>[] = [
    ...tipMethods, ...walletMethods, ...walletKeyMethods, verifyTxOutProofMethod, ...nodeMethods, ...lightMethods,
  ].map(watching);
  const names = new Set([...own.map((m) => m.name), 'help']);
  const unavailable: RpcMethod<LightRpcContext>[] = [...methodTable().values()].filter((m) => !names.has(m.name)).map((m) => ({
    name: m.name, params: m.params, description: `${m.description} (Not available on a light wallet, --spv.)`,
    run: () => { throw notOnLight(m.name); },
  }));
  return tableOf([own, unavailable]);
}
