// The node's own wallet (<datadir>/wallet.json): balances, new addresses, and
// sends that go straight into this node's mempool and out to its peers.
import { formatCoins, parseFee } from '../../core/amount.js';
import { hashToHex } from '../../core/bytes.js';
import { PubchainError, ValidationError } from '../../core/errors.js';
import { outpointKey, Tx, txid } from '../../core/tx.js';
import { buildTransfers, nth, pairLists, type SpendableCoin, type Transfer } from '../../wallet/transfers.js';
import { Wallet } from '../../wallet/wallet.js';
import { WalletError } from '../../wallet/walletErrors.js';
import { invalidParams } from '../rpcErrors.js';
import type { RpcMethod, RpcNodeContext } from '../types.js';
import { requireTip } from './blockJson.js';
import { address, amount, isMissing, optBool, plainObject, str, stringList } from './params.js';

/** Transfers (and so transactions) one call may make. */
export const MAX_TRANSFERS = 100;

/**
 * The coins each sender may spend now: its unspent chain coins that no mempool
 * transaction spends, then outputs of mempool transactions paying it that none
 * spends yet (change from an earlier send). Read inside the chain's queue,
 * where the UTXO set and the mempool agree with each other.
 */
async function spendableCoins(ctx: RpcNodeContext, owners: Uint8Array[]): Promise<Map<string, SpendableCoin[]>> {
  return ctx.chain.exclusive(async () => {
    const out = new Map<string, SpendableCoin[]>();
    for (const pkh of owners) {
      const key = hashToHex(pkh);
      if (out.has(key)) continue;
      const confirmed = (await ctx.chain.coinsOf(pkh)).filter((c) => !ctx.mempool.isSpent(outpointKey(c.txid, c.vout)));
      out.set(key, confirmed);
    }
    for (const id of ctx.mempool.txids()) {
      const tx = ctx.mempool.get(id);
      tx?.outputs.forEach((o, vout) => {
        const list = out.get(hashToHex(o.pubKeyHash));
        if (list && !ctx.mempool.isSpent(outpointKey(id, vout))) list.push({ txid: id, vout, coin: { value: o.value, pubKeyHash: o.pubKeyHash, height: 0 } });
      });
    }
    return out;
  });
}

interface SendResult { txids: string[]; block: string | null }

/**
 * Builds, signs and submits the transfers through the node's protocol (so they
 * are relayed); with `mine`, then mines a block holding them, whose reward goes
 * to the first sender (as `send --mine` does).
 */
export async function sendTransfers(ctx: RpcNodeContext, transfers: Transfer[], opts: { mine: boolean; fee: number }): Promise<SendResult> {
  return ctx.exclusive(async () => {
    requireTip(ctx.chain);
    const wallet = await Wallet.open(ctx.datadir);
    const keys = transfers.map((t) => {
      const k = wallet.keyFor(t.from);
      if (!k) throw new WalletError('not-my-address', `${t.from} is not an address of this node's wallet (see listaddresses)`);
      return k;
    });
    const coins = await spendableCoins(ctx, keys.map((k) => k.pubKeyHash));
    // Every listed coin is handed over once per owner; buildTransfers tracks what it spends within the call.
    const txs = await buildTransfers(wallet, transfers, async (pkh) => coins.get(hashToHex(pkh)) ?? [], { fee: opts.fee });
    const accepted: string[] = [];
    for (const tx of txs) {
      const r = await ctx.protocol.acceptTx(tx, null);
      if (!r.ok) throw withAccepted(r.error, accepted);
      accepted.push(hashToHex(txid(tx)));
    }
    if (!opts.mine) return { txids: accepted, block: null };
    const [hash] = await ctx.mineBlocks(1, keys[0]!.pubKeyHash);
    await requireIncluded(ctx, hash!, txs);
    return { txids: accepted, block: hashToHex(hash!) };
  });
}

function withAccepted(err: unknown, accepted: string[]): unknown {
  if (accepted.length === 0 || !(err instanceof PubchainError)) return err ?? new PubchainError('tx-rejected', 'the transaction was rejected');
  const note = ` (the ${accepted.length} transaction(s) before it were accepted: ${accepted.join(', ')})`;
  return err instanceof ValidationError
    ? new ValidationError(err.code, err.message + note, err.banScore, { accepted })
    : new PubchainError(err.code, err.message + note, { accepted });
}

async function requireIncluded(ctx: RpcNodeContext, hash: Uint8Array, txs: Tx[]): Promise<void> {
  const block = await ctx.chain.getBlock(hash);
  const inBlock = new Set((block?.txs ?? []).map((t) => hashToHex(txid(t))));
  const missing = txs.map((t) => hashToHex(txid(t))).filter((id) => !inBlock.has(id));
  if (missing.length > 0) {
    throw new PubchainError('mine-failed', `block ${hashToHex(hash)} was mined without ${missing.join(', ')} (the mempool holds more than a block); they stay in the mempool`);
  }
}

/** Each list has one value (used for every transfer) or one per transfer, as the CLI's send. */
export function pairTransfers(from: string[], to: string[], amounts: unknown[]): Transfer[] {
  const { n, misfit } = pairLists({ from, to, amount: amounts });
  if (misfit) throw invalidParams(`${misfit.name} has ${misfit.length} values but there are ${n} transfers: give one value or ${n}`);
  if (n > MAX_TRANSFERS) throw invalidParams(`at most ${MAX_TRANSFERS} transfers per call, not ${n}`);
  const out: Transfer[] = [];
  for (let i = 0; i < n; i++) {
    const f = address(nth(from, i), `from[${i}]`).address;
    const t = address(nth(to, i), `to[${i}]`).address;
    out.push({ from: f, to: t, amount: amount(nth(amounts, i), `amount[${i}]`) });
  }
  return out;
}

function fee(v: unknown): number {
  if (isMissing(v)) return 0;
  if (v === 0) return 0;
  if (typeof v === 'string') {
    try { return parseFee(v); } catch (e) { throw invalidParams(`fee: ${(e as Error).message}`); }
  }
  return amount(v, 'fee');
}

function amountList(v: unknown): unknown[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || isMissing(list[0])) throw invalidParams('amount must be an amount or a non-empty array of amounts');
  if (list.length > MAX_TRANSFERS) throw invalidParams(`amount has ${list.length} items; at most ${MAX_TRANSFERS}`);
  return list;
}

export const walletMethods: RpcMethod[] = [
  {
    name: 'getbalance',
    params: [{ name: 'address' }],
    description: 'Confirmed balance of an address (any address, not only this wallet\'s), as `getbalance --json` prints it.',
    run: async (ctx, [addr]) => {
      const a = address(addr, 'address');
      requireTip(ctx.chain);
      const units = await ctx.chain.balanceOf(a.pubKeyHash);
      return { address: a.address, balance: formatCoins(units), units: String(units) };
    },
  },
  {
    name: 'listaddresses',
    params: [],
    description: 'The addresses of this node\'s wallet.',
    run: async (ctx) => (await Wallet.open(ctx.datadir)).addresses(),
  },
  {
    name: 'sendtoaddress',
    params: [{ name: 'fromaddress' }, { name: 'toaddress' }, { name: 'amount' }],
    description: 'Sends coins (a decimal string such as "0.5") from a wallet address; the transaction enters the mempool and is relayed. Returns its txid.',
    run: async (ctx, [fromAddress, toAddress, amt]) => {
      const [t] = pairTransfers([str(fromAddress, 'fromaddress')], [str(toAddress, 'toaddress')], [amt]);
      return (await sendTransfers(ctx, [t!], { mine: false, fee: 0 })).txids[0];
    },
  },
  {
    name: 'sendmany',
    params: [{ name: 'fromaddress' }, { name: 'amounts' }],
    description: 'Sends from one wallet address to several ({"address": "amount", ...}); one transaction per recipient, each spending the change of the one before. Returns the txids.',
    run: async (ctx, [fromAddress, amounts]) => {
      const from = str(fromAddress, 'fromaddress');
      const entries = Object.entries(plainObject(amounts, 'amounts'));
      if (entries.length === 0) throw invalidParams('amounts must name at least one address');
      const transfers = pairTransfers([from], entries.map(([to]) => to), entries.map(([, a]) => a));
      return (await sendTransfers(ctx, transfers, { mine: false, fee: 0 })).txids;
    },
  },
  {
    name: 'send',
    params: [{ name: 'from' }, { name: 'to' }, { name: 'amount' }, { name: 'mine', optional: true }, { name: 'fee', optional: true }],
    description: 'The CLI\'s send: lists of senders, recipients and amounts (one value or one per transfer); with mine=true a block holding them is mined at once (reward to the first sender). Returns {txids, block}.',
    run: async (ctx, [from, to, amt, mine, feeArg]) => {
      const transfers = pairTransfers(stringList(from, 'from', MAX_TRANSFERS), stringList(to, 'to', MAX_TRANSFERS), amountList(amt));
      return sendTransfers(ctx, transfers, { mine: optBool(mine, 'mine', false), fee: fee(feeArg) });
    },
  },
];
