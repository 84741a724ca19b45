// Builds and signs the transfers of one `send`. Coins come only from outputs
// the sending address owns (the tutorial's scan picked up other people's), and
// each transfer sees the outputs of the ones before it, so a second transfer
// from A spends A's change from the first instead of the same coin twice.
import { addAmounts, formatCoins } from '../core/amount.js';
import { hashToHex } from '../core/bytes.js';
import { sighash, sighashCache } from '../core/sighash.js';
import { outpointKey, Tx, TxOutput, txid, TX_VERSION } from '../core/tx.js';
import { decodeAddress } from '../crypto/address.js';
import { signHash } from '../crypto/keys.js';
import type { Wallet, WalletKey } from './wallet.js';
import { WalletError } from './walletErrors.js';

export interface Transfer {
  from: string;
  to: string;
  /** Base units, > 0. */
  amount: number;
}

/** An unspent output as the chain's address index returns it. */
export interface SpendableCoin {
  txid: Uint8Array;
  vout: number;
  coin: { value: number; pubKeyHash: Uint8Array; height: number };
}

export type CoinSource = (pubKeyHash: Uint8Array) => Promise<SpendableCoin[]>;

export interface BuildOptions {
  /** Outpoints already spent by this wallet's pending (unmined) transactions. */
  exclude?: ReadonlySet<string>;
  /** Outputs of pending transactions this wallet may spend before they are mined. */
  extraCoins?: SpendableCoin[];
  /** Fee per transaction in base units (default 0, as in the tutorial). */
  fee?: number;
}

/**
 * The senders, receivers and amounts of one call hold one value each (used for
 * every transfer) or one per transfer. Returns the transfer count and a
 * picker, or the first list that fits neither.
 */
export function pairLists(lists: Record<string, unknown[]>): { n: number; misfit: { name: string; length: number } | null } {
  const n = Math.max(...Object.values(lists).map((l) => l.length));
  for (const [name, list] of Object.entries(lists)) {
    if (list.length !== 1 && list.length !== n) return { n, misfit: { name, length: list.length } };
  }
  return { n, misfit: null };
}

/** The i-th value of a list paired by pairLists. */
export const nth = <T>(list: T[], i: number): T => list[list.length === 1 ? 0 : i]!;

export async function buildTransfers(wallet: Wallet, transfers: Transfer[], coinsOf: CoinSource, opts: BuildOptions = {}): Promise<Tx[]> {
  const fee = opts.fee ?? 0;
  const spent = new Set(opts.exclude ?? []);
  // Outputs made earlier in this call, by owner: spendable by later transfers.
  const made = new Map<string, SpendableCoin[]>();
  for (const c of opts.extraCoins ?? []) {
    const k = hashToHex(c.coin.pubKeyHash);
    made.set(k, [...(made.get(k) ?? []), c]);
  }
  const txs: Tx[] = [];
  for (const t of transfers) {
    const key = wallet.keyFor(t.from);
    if (!key) throw new WalletError('not-my-address', `${t.from} is not an address of this node's wallet (see listaddresses)`);
    // A locked wallet refuses here, before any coin is picked (bitcoind's -13).
    wallet.signingKey(t.from).fill(0);
    const toHash = decodeAddress(t.to);
    if (!Number.isSafeInteger(t.amount) || t.amount <= 0) throw new WalletError('bad-transfer', `the amount must be above zero`);
    const need = addAmounts(t.amount, fee);
    const owner = hashToHex(key.pubKeyHash);
    const candidates = [...(await coinsOf(key.pubKeyHash)), ...(made.get(owner) ?? [])]
      .filter((c) => !spent.has(outpointKey(c.txid, c.vout)));
    const picked: SpendableCoin[] = [];
    let total = 0;
    for (const c of candidates) {
      if (total >= need) break;
      picked.push(c);
      total = addAmounts(total, c.coin.value);
    }
    if (total < need) {
      const available = candidates.reduce((s, c) => addAmounts(s, c.coin.value), 0);
      throw new WalletError('insufficient-funds', `${t.from} has ${formatCoins(available)} coins to spend, not enough for ${formatCoins(need)}`);
    }
    const outputs: TxOutput[] = [{ value: t.amount, pubKeyHash: toHash }];
    if (total > need) outputs.push({ value: total - need, pubKeyHash: key.pubKeyHash });
    const privateKey = wallet.signingKey(t.from);
    let tx: Tx;
    try { tx = signSpend(picked, outputs, () => key, () => privateKey); } finally { privateKey.fill(0); }
    const id = txid(tx);
    for (const c of picked) spent.add(outpointKey(c.txid, c.vout));
    outputs.forEach((o, vout) => {
      const k = hashToHex(o.pubKeyHash);
      const list = made.get(k) ?? [];
      list.push({ txid: id, vout, coin: { value: o.value, pubKeyHash: o.pubKeyHash, height: 0 } });
      made.set(k, list);
    });
    txs.push(tx);
  }
  return txs;
}

/**
 * A transaction spending `coins` to `outputs`, each input signed with its coin's key:
 * `keyOf` gives the public key, `privateKeyOf` the secret (the caller wipes it afterwards).
 */
export function signSpend(coins: SpendableCoin[], outputs: TxOutput[], keyOf: (coin: SpendableCoin) => WalletKey, privateKeyOf: (key: WalletKey) => Uint8Array): Tx {
  const tx: Tx = {
    version: TX_VERSION,
    inputs: coins.map((c) => ({ prevTxid: c.txid, vout: c.vout, signature: new Uint8Array(64), pubKey: keyOf(c).publicKey })),
    outputs,
  };
  const cache = sighashCache(tx);
  coins.forEach((c, i) => {
    tx.inputs[i]!.signature = signHash(sighash(tx, i, { value: c.coin.value, pubKeyHash: c.coin.pubKeyHash }, cache), privateKeyOf(keyOf(c)));
  });
  return tx;
}
