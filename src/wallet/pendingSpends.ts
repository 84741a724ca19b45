// Transactions this wallet handed to a node without mining them. Until a block
// spends their inputs, those coins are off limits to the next `send`, so two
// quick sends do not build conflicting spends of one coin.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromHex, hashToHex, toHex } from '../core/bytes.js';
import { outpointKey, parseTx, serializeTx, Tx, txid } from '../core/tx.js';
import { writeFileAtomic } from './atomicFile.js';
import { withFileLock } from './fileLock.js';
import type { SpendableCoin } from './transfers.js';
import { WalletError } from './walletErrors.js';

export interface PendingState {
  spent: Set<string>;
  coins: SpendableCoin[];
}

export const PENDING_FILE = 'pending.json';
/** A pending spend that never made it into a block is released after this long. */
export const PENDING_EXPIRY_S = 24 * 3600;

interface PendingEntry { tx: string; sentAt: number }

export type CoinExists = (txid: Uint8Array, vout: number) => Promise<boolean>;

export class PendingSpends {
  private constructor(private readonly path: string) {}

  static at(datadir: string): PendingSpends {
    return new PendingSpends(join(datadir, PENDING_FILE));
  }

  /**
   * What the live pending transactions hold: the outpoints they spend, and the
   * outputs they create that none of them spends yet (spendable, unconfirmed).
   * Entries whose inputs are gone (mined, or beaten by a conflicting spend) or
   * that expired no longer count.
   */
  async state(coinExists: CoinExists, now = Math.floor(Date.now() / 1000)): Promise<PendingState> {
    const live = await this.live(await this.read(), coinExists, now);
    const spent = new Set<string>();
    for (const { tx } of live) for (const i of tx.inputs) spent.add(outpointKey(i.prevTxid, i.vout));
    const coins: SpendableCoin[] = [];
    for (const { tx } of live) {
      const id = txid(tx);
      tx.outputs.forEach((o, vout) => {
        if (!spent.has(outpointKey(id, vout))) coins.push({ txid: id, vout, coin: { value: o.value, pubKeyHash: o.pubKeyHash, height: 0 } });
      });
    }
    return { spent, coins };
  }

  /** Keeps entries in order while each input is unspent on chain or made by an earlier live entry. */
  private async live(entries: PendingEntry[], coinExists: CoinExists, now: number): Promise<Array<{ entry: PendingEntry; tx: Tx }>> {
    const out: Array<{ entry: PendingEntry; tx: Tx }> = [];
    const made = new Set<string>();
    for (const entry of entries) {
      if (now - entry.sentAt > PENDING_EXPIRY_S) continue;
      const tx = parseTx(fromHex(entry.tx));
      let ok = true;
      for (const i of tx.inputs) {
        if (!made.has(hashToHex(i.prevTxid)) && !(await coinExists(i.prevTxid, i.vout))) { ok = false; break; }
      }
      if (!ok) continue;
      made.add(hashToHex(txid(tx)));
      out.push({ entry, tx });
    }
    return out;
  }

  async add(txs: Tx[], coinExists: CoinExists, now = Math.floor(Date.now() / 1000)): Promise<void> {
    await withFileLock(`${this.path}.lock`, async () => {
      const kept = (await this.live(await this.read(), coinExists, now)).map((l) => l.entry);
      for (const tx of txs) kept.push({ tx: toHex(serializeTx(tx)), sentAt: now });
      await writeFileAtomic(this.path, `${JSON.stringify({ pending: kept }, null, 2)}\n`);
    });
  }

  private async read(): Promise<PendingEntry[]> {
    let text: string;
    try { text = await readFile(this.path, 'utf8'); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new WalletError('wallet-unreadable', `cannot read ${this.path}: ${(e as Error).message}`);
    }
    const corrupt = (): never => { throw new WalletError('wallet-corrupt', `${this.path} is corrupt; move it away to forget pending sends`); };
    let json: { pending?: unknown };
    try { json = JSON.parse(text) as { pending?: unknown }; } catch { return corrupt(); }
    if (!json || !Array.isArray(json.pending)) return corrupt();
    const entries = json.pending as PendingEntry[];
    for (const e of entries) {
      if (!e || typeof e.tx !== 'string' || !/^([0-9a-f]{2})+$/.test(e.tx) || !Number.isInteger(e.sentAt)) return corrupt();
      try { parseTx(fromHex(e.tx)); } catch { return corrupt(); }
    }
    return entries;
  }
}
