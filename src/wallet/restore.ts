// Finding a restored seed's coins: addresses m/44'/28770'/0'/0/i are derived
// in order and looked up in the chain's address index (unspent coins by
// public-key hash) until 20 in a row hold nothing, BIP44's gap limit. Every
// address up to the last one holding coins is listed again.
import { addAmounts } from '../core/amount.js';
import { AddressChain, chainXpub, normalizeMnemonic, seedOf } from './seed.js';
import type { Wallet } from './wallet.js';
import { WalletError } from './walletErrors.js';

export const GAP_LIMIT = 20;

/** Unspent coins at a public-key hash, from the address index (values in base units). */
export type CoinsAt = (pubKeyHash: Uint8Array) => Promise<Array<{ coin: { value: number } }>>;

export interface ScanResult {
  /** How many addresses to list: one past the last that holds coins (0 when none does). */
  next: number;
  addresses: Array<{ address: string; units: number }>;
  units: number;
}

export async function scanSeed(seed: Uint8Array, coinsAt: CoinsAt, gapLimit = GAP_LIMIT): Promise<ScanResult> {
  const chain = new AddressChain(chainXpub(seed));
  const found: Array<{ address: string; units: number }> = [];
  let next = 0;
  for (let i = 0, gap = 0; gap < gapLimit; i++) {
    const a = chain.at(i);
    const coins = await coinsAt(a.pubKeyHash);
    const units = coins.reduce((s, c) => addAmounts(s, c.coin.value), 0);
    found.push({ address: a.address, units });
    if (coins.length > 0) { next = i + 1; gap = 0; } else gap++;
  }
  const addresses = found.slice(0, next);
  return { next, addresses, units: addresses.reduce((s, a) => addAmounts(s, a.units), 0) };
}

/** Checks the words, derives the seed (with the optional extra passphrase) and scans it. */
export async function scanMnemonic(words: string, bip39Passphrase: string, coinsAt: CoinsAt): Promise<ScanResult & { mnemonic: string }> {
  const mnemonic = normalizeMnemonic(words);
  const seed = seedOf(mnemonic, bip39Passphrase);
  try {
    return { ...(await scanSeed(seed, coinsAt)), mnemonic };
  } finally {
    seed.fill(0);
  }
}

/** restorewallet: scans first (no lock held meanwhile), then seeds the wallet with what it found. */
export async function restoreWallet(wallet: Wallet, words: string, bip39Passphrase: string, coinsAt: CoinsAt, pass?: string): Promise<ScanResult> {
  if (wallet.hasSeed) throw new WalletError('wallet-has-seed', `${wallet.path} already has a seed: restore into a new data directory, or move the wallet file (and its .bak) away first`);
  const r = await scanMnemonic(words, bip39Passphrase, coinsAt);
  await wallet.restoreSeed(r.mnemonic, bip39Passphrase, r.next, pass);
  return { next: r.next, addresses: r.addresses, units: r.units };
}
