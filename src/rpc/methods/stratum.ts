// Mining for outside miners: getblocktemplate (BIP22, with long polling),
// submitblock (BIP22's answers), and getstratuminfo (the Stratum server's figures).
import { parseBlock } from '../../core/block.js';
import { hashToHex, toHex } from '../../core/bytes.js';
import { PubchainError } from '../../core/errors.js';
import { COINBASE_DATA_MAX, COINBASE_DATA_MIN, serializeTx } from '../../core/tx.js';
import { currentTemplate } from '../../node/stratumWiring.js';
import { submitBlock } from '../../node/submitBlock.js';
import { RpcError, invalidParameter } from '../rpcErrors.js';
import type { RpcMethod, RpcNodeContext } from '../types.js';
import { isMissing, plainObject, str } from './params.js';

/** bitcoind's RPC_DESERIALIZATION_ERROR. */
export const DESERIALIZATION_ERROR = -22;
/** A long poll answers by then even when nothing changed; the miner simply asks again. */
export const LONGPOLL_MAX_MS = 25_000;
const LONGPOLL_CHECK_MS = 250;

/** Changes when the tip does or the mempool's contents (by count) do. */
function longpollId(ctx: RpcNodeContext): string {
  return `${ctx.chain.tip ? hashToHex(ctx.chain.tip.hash) : '0'.repeat(64)}${ctx.mempool.size}`;
}

async function waitForChange(ctx: RpcNodeContext, id: string): Promise<void> {
  const end = Date.now() + LONGPOLL_MAX_MS;
  while (longpollId(ctx) === id && Date.now() < end) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, LONGPOLL_CHECK_MS);
      function done(): void { clearTimeout(t); ctx.chain.off('tip', done); resolve(); }
      ctx.chain.once('tip', done);
    });
  }
}

export const stratumMethods: RpcMethod[] = [
  {
    name: 'getblocktemplate',
    params: [{ name: 'template_request', optional: true }],
    description: 'BIP22 block template for the tip: version, previousblockhash, transactions (data, txid, hash, fee, depends), coinbasevalue, target, mintime, curtime, bits, height, mutable, noncerange, longpollid. Unknown "rules" are ignored; "longpollid" waits (up to 25 s) for a new tip or mempool change.',
    run: async (ctx, [request]) => {
      const req = isMissing(request) ? {} : plainObject(request, 'template_request');
      if (req.mode !== undefined && req.mode !== 'template') throw invalidParameter(`mode "${String(req.mode)}" is not supported: use "template"`);
      if (req.longpollid !== undefined) await waitForChange(ctx, str(req.longpollid, 'longpollid'));
      const t = await currentTemplate(ctx);
      if (!t) throw new PubchainError('no-chain', 'there is no blockchain yet');
      const index = new Map(t.txs.map((x, i) => [toHex(x.txid), i + 1]));
      return {
        version: t.version,
        rules: [],
        vbavailable: {},
        vbrequired: 0,
        capabilities: ['longpoll'],
        previousblockhash: hashToHex(t.prevHash),
        transactions: t.txs.map((x) => {
          const depends = [...new Set(x.tx.inputs.map((i) => index.get(toHex(i.prevTxid))).filter((n): n is number => n !== undefined))];
          return { data: toHex(serializeTx(x.tx)), txid: hashToHex(x.txid), hash: hashToHex(x.txid), fee: x.fee, depends, size: x.size };
        }),
        coinbaseaux: {},
        coinbasevalue: t.coinbaseValue,
        // pubchain's coinbase data (docs/mining.md): height u32 LE first, COINBASE_DATA_MIN..MAX bytes.
        coinbasedata: { heightprefix: toHex(new Uint8Array(new Uint32Array([t.height]).buffer)), minbytes: COINBASE_DATA_MIN, maxbytes: COINBASE_DATA_MAX },
        longpollid: longpollId(ctx),
        target: t.target.toString(16).padStart(64, '0'),
        mintime: t.minTime,
        mutable: ['time', 'transactions', 'prevblock'],
        noncerange: '00000000ffffffff',
        sizelimit: ctx.params.maxBlockSize,
        curtime: t.time,
        bits: t.bits.toString(16).padStart(8, '0'),
        height: t.height,
      };
    },
  },
  {
    name: 'submitblock',
    params: [{ name: 'hexdata' }, { name: 'dummy', optional: true }],
    description: 'Validates, stores and relays a block, as a peer\'s block is. null when it joined the main chain; otherwise "duplicate", "duplicate-invalid", "inconclusive" (stored on a side branch), "prev-blk-not-found" or the rule it broke ("high-hash", "bad-txnmrklroot", …).',
    run: async (ctx, [hexdata]) => {
      const text = str(hexdata, 'hexdata');
      if (!/^([0-9a-fA-F]{2})+$/.test(text)) throw new RpcError(DESERIALIZATION_ERROR, 'Block decode failed: not hex');
      let block;
      try {
        block = parseBlock(Buffer.from(text, 'hex'), ctx.params.maxBlockSize);
      } catch (e) {
        throw new RpcError(DESERIALIZATION_ERROR, `Block decode failed: ${(e as Error).message}`);
      }
      if (!ctx.chain.tip) throw new PubchainError('no-chain', 'there is no blockchain yet');
      return submitBlock(ctx.chain, ctx.protocol, block);
    },
  },
  {
    name: 'getstratuminfo',
    params: [],
    description: 'The Stratum server: bind and port, connections, workers (address, worker names, extranonce1, difficulty, estimated hashrate, shares), shares accepted and rejected by reason, blocks found, new-tip notify delay (p50/p99 ms). null when it is off.',
    run: (ctx) => ctx.stratum?.info() ?? null,
  },
];

