// The wallet's keys over RPC, in bitcoind's shapes: addresses, the passphrase
// (encryptwallet, walletpassphrase with a timeout, walletlock,
// walletpassphrasechange), backups, dumpprivkey, and restorewallet from the
// 24 words (pubchain's own: bitcoind's restorewallet reads a backup file).
// A locked wallet answers -13, a wrong passphrase -14, the wrong state -15.
import { formatCoins, addAmounts } from '../../core/amount.js';
import { restoreWallet } from '../../wallet/restore.js';
import { MAX_UNLOCK_SECONDS } from '../../wallet/keystore.js';
import { CHAIN_PATH, toWif } from '../../wallet/seed.js';
import { Wallet, WALLET_FILE } from '../../wallet/wallet.js';
import { WalletError } from '../../wallet/walletErrors.js';
import { invalidParameter, MISC_ERROR, RpcError } from '../rpcErrors.js';
import type { RpcBaseContext, RpcMethod } from '../types.js';
import { address, int, isMissing, str } from './params.js';

const passphrase = (v: unknown, name: string): string => {
  const s = str(v, name);
  if (s === '') throw invalidParameter(`${name} can not be empty`);
  return s;
};

const optString = (v: unknown, name: string): string | undefined => (isMissing(v) ? undefined : str(v, name));

export const walletKeyMethods: RpcMethod<RpcBaseContext>[] = [
  {
    name: 'getnewaddress',
    params: [{ name: 'label', optional: true }, { name: 'address_type', optional: true }],
    description: 'Derives the next address of this node\'s wallet (m/44\'/28770\'/0\'/0/i) and returns it; no passphrase is needed. A new wallet gets its seed here (its words: showmnemonic on the CLI).',
    run: async (ctx, [label]) => {
      optString(label, 'label');
      return (await (await Wallet.open(ctx.datadir)).createKey()).address;
    },
  },
  {
    name: 'getwalletinfo',
    params: [],
    description: 'The wallet\'s state: walletname, walletversion, balance, hd path and next index, legacy keys, and unlocked_until (encrypted wallets only: 0 when locked).',
    run: async (ctx) => {
      const w = await Wallet.open(ctx.datadir);
      const info = w.info();
      let units = 0;
      let hasTip = true;
      try { ctx.walletChain.tipHeight(); } catch { hasTip = false; }
      if (hasTip) for (const a of w.addresses()) units = addAmounts(units, await ctx.walletChain.balanceOf(w.keyFor(a)!.pubKeyHash));
      return {
        walletname: WALLET_FILE, walletversion: 2, format: 'pubchain-json', balance: formatCoins(units), txcount: null,
        keypoolsize: 0, ...(info.encrypted ? { unlocked_until: info.unlockedUntil } : {}), private_keys_enabled: true,
        encrypted: info.encrypted, hdkeypath: info.hd ? CHAIN_PATH : null, hdnext: info.hdNext, legacykeys: info.legacyKeys,
        addresses: w.addresses().length, lastbackup: info.lastBackup,
      };
    },
  },
  {
    name: 'encryptwallet',
    params: [{ name: 'passphrase' }],
    description: 'Encrypts the wallet\'s seed and keys with the passphrase (scrypt, AES-256-GCM) and leaves it locked.',
    run: async (ctx, [pass]) => {
      await (await Wallet.open(ctx.datadir)).encrypt(passphrase(pass, 'passphrase'));
      return 'wallet encrypted; signing now needs walletpassphrase. Make a new backup: older ones are not encrypted.';
    },
  },
  {
    name: 'walletpassphrase',
    params: [{ name: 'passphrase' }, { name: 'timeout' }],
    description: 'Holds the decrypted keys in memory for timeout seconds (at most 100000000), then wipes them. A second call replaces the timeout.',
    run: async (ctx, [pass, timeout]) => {
      const p = passphrase(pass, 'passphrase');
      const seconds = Math.min(int(timeout, 'timeout', 0, Number.MAX_SAFE_INTEGER), MAX_UNLOCK_SECONDS);
      await (await Wallet.open(ctx.datadir)).holdUnlocked(p, seconds);
      return null;
    },
  },
  {
    name: 'walletlock',
    params: [],
    description: 'Wipes the keys walletpassphrase holds; signing needs walletpassphrase again.',
    run: async (ctx) => { (await Wallet.open(ctx.datadir)).lock(); return null; },
  },
  {
    name: 'walletpassphrasechange',
    params: [{ name: 'oldpassphrase' }, { name: 'newpassphrase' }],
    description: 'Re-encrypts the wallet with a new passphrase; the wallet is locked afterwards.',
    run: async (ctx, [oldPass, newPass]) => {
      await (await Wallet.open(ctx.datadir)).changePassphrase(passphrase(oldPass, 'oldpassphrase'), passphrase(newPass, 'newpassphrase'));
      return null;
    },
  },
  {
    name: 'backupwallet',
    params: [{ name: 'destination' }],
    description: 'Writes a copy of the wallet file (still encrypted, if it is) to destination, atomically, on the node\'s machine.',
    run: async (ctx, [dest]) => { await (await Wallet.open(ctx.datadir)).backup(str(dest, 'destination')); return null; },
  },
  {
    name: 'dumpprivkey',
    params: [{ name: 'address' }],
    description: 'The private key of one of the wallet\'s addresses in WIF (base58check of 0x80 | key | 0x01); needs the wallet unlocked.',
    run: async (ctx, [addr]) => {
      const a = address(addr, 'address').address;
      const w = await Wallet.open(ctx.datadir);
      if (!w.keyFor(a)) throw new WalletError('not-my-address', `Private key for address ${a} is not known`);
      const key = w.signingKey(a);
      try { return toWif(key); } finally { key.fill(0); }
    },
  },
  {
    name: 'restorewallet',
    params: [{ name: 'mnemonic' }, { name: 'bip39passphrase', optional: true }, { name: 'passphrase', optional: true }],
    description: 'pubchain\'s restore: recreates the seed from its 24 words (and extra BIP39 passphrase) and finds its coins through the address index, gap limit 20. Returns {addresses, next, balance, units}.',
    run: async (ctx, [words, extra, pass]) => {
      const coinsOf = ctx.walletChain.coinsOf;
      if (!coinsOf) throw new RpcError(MISC_ERROR, 'restorewallet is not available on a light wallet (--spv): it keeps no UTXO set to find the coins in; restore on a full node, or with the node stopped');
      const w = await Wallet.open(ctx.datadir);
      const r = await restoreWallet(w, str(words, 'mnemonic'), optString(extra, 'bip39passphrase') ?? '', coinsOf, optString(pass, 'passphrase'));
      return { addresses: r.addresses.map((x) => x.address), next: r.next, balance: formatCoins(r.units), units: String(r.units) };
    },
  },
];
