// Sends from the node's wallet. bitcoind's sendtoaddress and sendmany choose
// coins from the whole wallet and make one transaction; the CLI's `send` makes
// one transaction per transfer from named senders. Every transaction leaves
// through the wallet port: a full node's protocol (checked as a peer's would
// be, then relayed), or a light node's full peers.
import { addAmounts, formatCoins, parseFee } from '../../core/amount.js';
import { hashToHex } from '../../core/bytes.js';
import { PubchainError, ValidationError } from '../../core/errors.js';
import { Tx, TxOutput, txid, txSize, TX_VERSION } from '../../core/tx.js';
import { buildTransfers, nth, pairLists, signSpend, type SpendableCoin, type Transfer } from '../../wallet/transfers.js';
import { Wallet, type WalletKey } from '../../wallet/wallet.js';
import { WalletError } from '../../wallet/walletErrors.js';
import { invalidParameter, MISC_ERROR, RpcError } from '../rpcErrors.js';
import type { RpcBaseContext } from '../types.js';
import { address, amount, isMissing } from './params.js';

export interface Payment { pubKeyHash: Uint8Array; amount: number }

/** Bytes of a transaction with this many inputs and outputs (every input is a 64-byte signature and a 33-byte key). */
function sizeOf(inputs: number, outputs: number): number {
  const input = { prevTxid: new Uint8Array(32), vout: 0, signature: new Uint8Array(64), pubKey: new Uint8Array(33) };
  const output = { value: 0, pubKeyHash: new Uint8Array(20) };
  return txSize({ version: TX_VERSION, inputs: Array.from({ length: inputs }, () => input), outputs: Array.from({ length: outputs }, () => output) });
}

/**
 * One transaction paying every payment from the wallet's spendable coins
 * (confirmed ones first, oldest first), change back to the first spent coin's
 * address. The fee is feeRate base units per byte of the signed transaction;
 * with `subtractFee` the first payment carries it. Returns the txid.
 */
export async function payFromWallet(ctx: RpcBaseContext, payments: Payment[], o: { feeRate: number; subtractFee: boolean }): Promise<string> {
  return ctx.exclusive(async () => {
    ctx.walletChain.tipHeight();
    const wallet = await Wallet.open(ctx.datadir);
    const keys = new Map(wallet.addresses().map((a) => { const k = wallet.keyFor(a)!; return [hashToHex(k.pubKeyHash), k]; }));
    const owned = await ctx.walletChain.spendable([...keys.values()].map((k) => k.pubKeyHash));
    const candidates = [...owned.values()].flat().sort((a, b) => (a.coin.height || Infinity) - (b.coin.height || Infinity));
    const sent = payments.reduce((s, p) => addAmounts(s, p.amount), 0);
    const picked: SpendableCoin[] = [];
    let total = 0;
    let fee = 0;
    for (const c of candidates) {
      fee = Math.ceil(o.feeRate * sizeOf(picked.length, payments.length + 1));
      if (total >= (o.subtractFee ? sent : sent + fee)) break;
      picked.push(c);
      total = addAmounts(total, c.coin.value);
    }
    fee = Math.ceil(o.feeRate * sizeOf(picked.length, payments.length + 1));
    const need = o.subtractFee ? sent : addAmounts(sent, fee);
    if (total < need) throw new WalletError('insufficient-funds', `Insufficient funds: the wallet has ${formatCoins(total)} coins to spend, ${formatCoins(need)} are needed`);
    const outputs: TxOutput[] = payments.map((p) => ({ value: p.amount, pubKeyHash: p.pubKeyHash }));
    if (o.subtractFee) {
      if (outputs[0]!.value <= fee) throw new WalletError('bad-transfer', 'The transaction amount is too small to pay the fee');
      outputs[0]!.value -= fee;
    }
    const change = total - need;
    if (change > 0) outputs.push({ value: change, pubKeyHash: picked[0]!.coin.pubKeyHash });
    // A locked wallet refuses here (bitcoind's -13); each secret is wiped once the transaction is signed.
    const secrets = new Map<string, Uint8Array>();
    const secretOf = (k: WalletKey): Uint8Array => {
      let s = secrets.get(k.address);
      if (!s) { s = wallet.signingKey(k.address); secrets.set(k.address, s); }
      return s;
    };
    let tx: Tx;
    try { tx = signSpend(picked, outputs, (c) => keys.get(hashToHex(c.coin.pubKeyHash))!, secretOf); } finally { for (const s of secrets.values()) s.fill(0); }
    await ctx.walletChain.submit(tx);
    return hashToHex(txid(tx));
  });
}

/** bitcoind's fee_rate parameter: base units per byte (sat/vB); 0 when omitted. */
export function feeRateParam(v: unknown): number {
  if (isMissing(v)) return 0;
  const rate = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(rate) || rate < 0 || rate > 1_000_000) throw invalidParameter('fee_rate must be a number of base units per byte from 0 to 1000000');
  return rate;
}

/** Transfers (and so transactions) one call may make. */
export const MAX_TRANSFERS = 100;

interface SendResult { txids: string[]; block: string | null }

/**
 * Builds, signs and submits the transfers through the node's protocol (so they
 * are relayed); with `mine`, then mines a block holding them, whose reward goes
 * to the first sender (as `send --mine` does).
 */
export async function sendTransfers(ctx: RpcBaseContext, transfers: Transfer[], opts: { mine: boolean; fee: number }): Promise<SendResult> {
  const mineWith = ctx.walletChain.mineWith;
  if (opts.mine && !mineWith) throw new RpcError(MISC_ERROR, 'mine=true is not available on a light wallet (--spv): it mines no blocks');
  return ctx.exclusive(async () => {
    ctx.walletChain.tipHeight();
    const wallet = await Wallet.open(ctx.datadir);
    const keys = transfers.map((t) => {
      const k = wallet.keyFor(t.from);
      if (!k) throw new WalletError('not-my-address', `${t.from} is not an address of this node's wallet (see listaddresses)`);
      return k;
    });
    const coins = await ctx.walletChain.spendable(keys.map((k) => k.pubKeyHash));
    // Every listed coin is handed over once per owner; buildTransfers tracks what it spends within the call.
    const txs = await buildTransfers(wallet, transfers, async (pkh) => coins.get(hashToHex(pkh)) ?? [], { fee: opts.fee });
    const accepted: string[] = [];
    for (const tx of txs) {
      try { await ctx.walletChain.submit(tx); } catch (e) { throw withAccepted(e, accepted); }
      accepted.push(hashToHex(txid(tx)));
    }
    if (!opts.mine || !mineWith) return { txids: accepted, block: null };
    return { txids: accepted, block: hashToHex(await mineWith(keys[0]!.pubKeyHash, txs)) };
  });
}

function withAccepted(err: unknown, accepted: string[]): unknown {
  if (accepted.length === 0 || !(err instanceof PubchainError)) return err ?? new PubchainError('tx-rejected', 'the transaction was rejected');
  const note = ` (the ${accepted.length} transaction(s) before it were accepted: ${accepted.join(', ')})`;
  return err instanceof ValidationError
    ? new ValidationError(err.code, err.message + note, err.banScore, { accepted })
    : new PubchainError(err.code, err.message + note, { accepted });
}

/** Each list has one value (used for every transfer) or one per transfer, as the CLI's send. */
export function pairTransfers(from: string[], to: string[], amounts: unknown[]): Transfer[] {
  const { n, misfit } = pairLists({ from, to, amount: amounts });
  if (misfit) throw invalidParameter(`${misfit.name} has ${misfit.length} values but there are ${n} transfers: give one value or ${n}`);
  if (n > MAX_TRANSFERS) throw invalidParameter(`at most ${MAX_TRANSFERS} transfers per call, not ${n}`);
  const out: Transfer[] = [];
  for (let i = 0; i < n; i++) {
    const f = address(nth(from, i), `from[${i}]`).address;
    const t = address(nth(to, i), `to[${i}]`).address;
    out.push({ from: f, to: t, amount: amount(nth(amounts, i), `amount[${i}]`) });
  }
  return out;
}

export function fee(v: unknown): number {
  if (isMissing(v)) return 0;
  if (v === 0) return 0;
  if (typeof v === 'string') {
    try { return parseFee(v); } catch (e) { throw invalidParameter(`fee: ${(e as Error).message}`); }
  }
  return amount(v, 'fee');
}

export function amountList(v: unknown): unknown[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || isMissing(list[0])) throw invalidParameter('amount must be an amount or a non-empty array of amounts');
  if (list.length > MAX_TRANSFERS) throw invalidParameter(`amount has ${list.length} items; at most ${MAX_TRANSFERS}`);
  return list;
}

