// The node's own wallet (<datadir>/wallet.json) with bitcoind's methods and
// shapes (amounts as coin numbers), and pubchain's own: getaddressbalance (any
// address, the CLI's `getbalance --address`), listaddresses, send. Written once
// over the wallet port (ctx.walletChain), so full and light nodes answer alike.
import { formatCoins } from '../../core/amount.js';
import { hashToHex, toHex } from '../../core/bytes.js';
import { decodeAddress } from '../../crypto/address.js';
import { Wallet } from '../../wallet/wallet.js';
import { coins } from '../json.js';
import { invalidParameter } from '../rpcErrors.js';
import type { SpendableCoin } from '../../wallet/transfers.js';
import type { RpcBaseContext, RpcMethod } from '../types.js';
import { scriptPubKeyJson } from './blockJson.js';
import { address, addressOrInvalid, amount, isMissing, optBool, optInt, plainObject, str, stringList } from './params.js';
import { amountList, fee, feeRateParam, MAX_TRANSFERS, pairTransfers, payFromWallet, sendTransfers } from './walletSend.js';

const MAX_CONF = 9_999_999;
const opt = (name: string) => ({ name, optional: true });

/** Confirmations of a spendable coin at this tip: 0 for an unconfirmed output (height 0). */
export const confirmationsAt = (tipHeight: number, c: SpendableCoin): number => (c.coin.height === 0 ? 0 : tipHeight - c.coin.height + 1);

/** Every spendable coin of the wallet, with its owner's address, at the current tip. */
async function walletCoins(ctx: RpcBaseContext) {
  const tipHeight = ctx.walletChain.tipHeight();
  const wallet = await Wallet.open(ctx.datadir);
  const keys = wallet.addresses().map((a) => wallet.keyFor(a)!);
  const owned = await ctx.walletChain.spendable(keys.map((k) => k.pubKeyHash));
  return keys.flatMap((k) => (owned.get(hashToHex(k.pubKeyHash)) ?? []).map((c) => ({ address: k.address, c, confirmations: confirmationsAt(tipHeight, c) })));
}

export const walletMethods: RpcMethod<RpcBaseContext>[] = [
  {
    name: 'getbalance',
    params: [opt('dummy'), opt('minconf'), opt('include_watchonly'), opt('avoid_reuse')],
    description: 'The wallet\'s spendable coins: every address\'s coins with at least minconf (default 0) confirmations, less what mempool transactions spend.',
    run: async (ctx, [dummy, minconf]) => {
      if (!isMissing(dummy) && dummy !== '*') throw invalidParameter('dummy first argument must be excluded or set to "*".');
      const min = optInt(minconf, 'minconf', 0, MAX_CONF, 0);
      const all = await walletCoins(ctx);
      return coins(all.filter((x) => x.confirmations >= min).reduce((s, x) => s + x.c.coin.value, 0));
    },
  },
  {
    name: 'getaddressbalance',
    params: [{ name: 'address' }],
    description: 'Confirmed balance of any address (not only this wallet\'s), as `getbalance --address A --json` prints it: {address, balance (decimal string), units (integer string)}.',
    run: async (ctx, [addr]) => {
      const a = address(addr, 'address');
      ctx.walletChain.tipHeight();
      const units = await ctx.walletChain.balanceOf(a.pubKeyHash);
      return { address: a.address, balance: formatCoins(units), units: String(units) };
    },
  },
  {
    name: 'listunspent',
    params: [opt('minconf'), opt('maxconf'), opt('addresses'), opt('include_unsafe'), opt('query_options')],
    description: 'The wallet\'s unspent coins with minconf (default 1) to maxconf confirmations, of the given addresses (default all).',
    run: async (ctx, [minconf, maxconf, addresses, includeUnsafe]) => {
      const min = optInt(minconf, 'minconf', 0, MAX_CONF, 1);
      const max = optInt(maxconf, 'maxconf', 0, MAX_CONF, MAX_CONF);
      const unsafe = optBool(includeUnsafe, 'include_unsafe', true);
      let only: Set<string> | null = null;
      if (!isMissing(addresses)) {
        if (!Array.isArray(addresses)) throw invalidParameter('addresses must be an array of addresses');
        only = new Set();
        for (const a of addresses) {
          const s = addressOrInvalid(a, 'addresses').address;
          if (only.has(s)) throw invalidParameter(`Invalid parameter, duplicated address: ${s}`);
          only.add(s);
        }
      }
      return (await walletCoins(ctx))
        .filter((x) => x.confirmations >= min && x.confirmations <= max && (only === null || only.has(x.address)) && (unsafe || x.confirmations > 0))
        .map((x) => ({
          txid: hashToHex(x.c.txid), vout: x.c.vout, address: x.address, scriptPubKey: toHex(x.c.coin.pubKeyHash),
          amount: coins(x.c.coin.value), confirmations: x.confirmations, spendable: true, solvable: true, safe: x.confirmations > 0,
        }));
    },
  },
  {
    name: 'validateaddress',
    params: [{ name: 'address' }],
    description: 'Whether an address is valid here: {isvalid, address, scriptPubKey, isscript, iswitness}, or {isvalid: false, error_locations, error}.',
    run: (_ctx, [addr]) => {
      const s = str(addr, 'address');
      try {
        const pkh = decodeAddress(s);
        return { isvalid: true, address: s, scriptPubKey: scriptPubKeyJson(pkh).hex, isscript: false, iswitness: false };
      } catch (e) {
        return { isvalid: false, error_locations: [], error: (e as Error).message };
      }
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
    params: [{ name: 'address' }, { name: 'amount' }, ...['comment', 'comment_to', 'subtractfeefromamount', 'replaceable', 'conf_target', 'estimate_mode', 'avoid_reuse', 'fee_rate', 'verbose'].map(opt)],
    description: 'Pays amount (coins) to address from the wallet\'s coins, in one transaction that enters the mempool and is relayed; returns its txid. fee_rate is base units per byte (default 0).',
    run: async (ctx, [addr, amt, , , subtract, , , , , feeRate]) => {
      const to = addressOrInvalid(addr, 'address');
      const units = amount(amt, 'amount');
      return payFromWallet(ctx, [{ pubKeyHash: to.pubKeyHash, amount: units }], { feeRate: feeRateParam(feeRate), subtractFee: optBool(subtract, 'subtractfeefromamount', false) });
    },
  },
  {
    name: 'sendmany',
    params: [{ name: 'dummy' }, { name: 'amounts' }, ...['minconf', 'comment', 'subtractfeefrom', 'replaceable', 'conf_target', 'estimate_mode', 'fee_rate', 'verbose'].map(opt)],
    description: 'Pays several addresses ({"address": amount, ...}) from the wallet\'s coins in one transaction; dummy must be "". Returns its txid.',
    run: async (ctx, [dummy, amounts, , , , , , , feeRate]) => {
      if (dummy !== '') throw invalidParameter('Dummy value must be set to ""');
      const entries = Object.entries(plainObject(amounts, 'amounts'));
      if (entries.length === 0) throw invalidParameter('amounts must name at least one address');
      if (entries.length > MAX_TRANSFERS) throw invalidParameter(`at most ${MAX_TRANSFERS} recipients, not ${entries.length}`);
      const payments = entries.map(([a, v]) => ({ pubKeyHash: addressOrInvalid(a, 'amounts').pubKeyHash, amount: amount(v, `amounts.${a.slice(0, 40)}`) }));
      return payFromWallet(ctx, payments, { feeRate: feeRateParam(feeRate), subtractFee: false });
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
