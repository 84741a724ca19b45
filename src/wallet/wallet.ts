// A node's wallet: one BIP39 seed whose chain m/44'/28770'/0'/0/i gives every
// new address (seed.ts), the keys of version-1 wallets beside it, optionally
// sealed with a passphrase (encryption.ts), in `<datadir>/wallet.json`
// (walletFile.ts). Addresses come from the stored xpub, so they stay readable
// while the wallet is locked; only signing needs the secrets. Every change
// re-reads the file under a lock, so two processes cannot drop each other's keys.
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomicFile.js';
import { open as openSealed, seal } from './encryption.js';
import { withFileLock } from './fileLock.js';
import { copySecrets, decodeSecrets, encodeSecrets, heldSecrets, holdUnlocked, lockHeld, unlockedUntil, wipeSecrets, type Secrets } from './keystore.js';
import { AddressChain, chainXpub, entropyOf, mnemonicOf, newMnemonic, privateKeyAt, seedOf, type PublicKeyInfo } from './seed.js';
import { emptyDoc, readDoc, sealedId, secretsProblem, serializeDoc, writeDoc, type WalletDoc } from './walletFile.js';
import { lockedError, WalletError } from './walletErrors.js';

export const WALLET_FILE = 'wallet.json';

/** What the wallet knows of an address without its secrets. */
export type WalletKey = PublicKeyInfo;

export interface WalletInfo {
  path: string;
  encrypted: boolean;
  /** Unix seconds a `walletpassphrase` unlock ends, 0 when locked; absent for an unencrypted wallet. */
  unlockedUntil?: number;
  hd: boolean;
  hdNext: number;
  legacyKeys: number;
  lastBackup: string | null;
}

export class Wallet {
  /** Secrets this instance was unlocked with (a CLI command given the passphrase). */
  private own: Secrets | null = null;

  private constructor(readonly path: string, private doc: WalletDoc) {}

  /** Loads `<datadir>/wallet.json`; a missing file (with no backup beside it) is an empty wallet. */
  static async open(datadir: string): Promise<Wallet> {
    const path = resolve(join(datadir, WALLET_FILE));
    return new Wallet(path, (await readDoc(path)) ?? emptyDoc());
  }

  private keys(): Array<{ key: PublicKeyInfo; legacy: number | null; index: number | null }> {
    const out = this.doc.legacy.map((key, i) => ({ key, legacy: i as number | null, index: null as number | null }));
    for (let i = 0; i < (this.doc.hd?.next ?? 0); i++) out.push({ key: this.doc.hd!.chain.at(i), legacy: null, index: i });
    return out;
  }

  addresses(): string[] {
    return this.keys().map((k) => k.key.address);
  }

  keyFor(address: string): WalletKey | undefined {
    return this.keys().find((k) => k.key.address === address)?.key;
  }

  get encrypted(): boolean { return this.doc.sealed !== null; }
  get hasSeed(): boolean { return this.doc.hd !== null; }

  /** The secrets usable now: an unencrypted file's, this instance's, or those a running node holds. */
  private secrets(): Secrets | null {
    if (!this.doc.sealed) return this.doc.plain;
    return this.own ?? heldSecrets(this.path, sealedId(this.doc.sealed));
  }

  isLocked(): boolean { return this.secrets() === null; }

  info(): WalletInfo {
    const d = this.doc;
    return {
      path: this.path, encrypted: d.sealed !== null, ...(d.sealed ? { unlockedUntil: unlockedUntil(this.path, sealedId(d.sealed)) } : {}),
      hd: d.hd !== null, hdNext: d.hd?.next ?? 0, legacyKeys: d.legacy.length, lastBackup: d.lastBackup,
    };
  }

  /** Decrypts the secrets of `doc` with `pass`; a wrong passphrase is 'wrong-passphrase'. */
  private static async decrypt(doc: WalletDoc, pass: string): Promise<Secrets> {
    if (!doc.sealed) throw new WalletError('wrong-enc-state', 'Error: running with an unencrypted wallet, but a passphrase was given.');
    const s = decodeSecrets(await openSealed(doc.sealed, pass));
    const problem = secretsProblem(doc, s);
    if (problem) throw new WalletError('wallet-corrupt', `the wallet file decrypts but does not fit its public part (${problem})`);
    return s;
  }

  /** Unlocks this instance (for one CLI command). No-op for an unencrypted wallet. */
  async unlock(pass: string): Promise<void> {
    if (!this.doc.sealed) return;
    this.own = await Wallet.decrypt(this.doc, pass);
  }

  /** walletpassphrase: the running node keeps the secrets for `seconds`, then wipes them. Returns the end (Unix ms). */
  async holdUnlocked(pass: string, seconds: number): Promise<number> {
    if (!this.doc.sealed) throw new WalletError('wrong-enc-state', 'Error: running with an unencrypted wallet, but walletpassphrase was called.');
    const s = await Wallet.decrypt(this.doc, pass);
    return holdUnlocked(this.path, sealedId(this.doc.sealed), s, seconds);
  }

  /** walletlock: wipes what the node holds (and this instance's own copy). */
  lock(): void {
    if (!this.doc.sealed) throw new WalletError('wrong-enc-state', 'Error: running with an unencrypted wallet, but walletlock was called.');
    lockHeld(this.path);
    if (this.own) wipeSecrets(this.own);
    this.own = null;
  }

  /** A fresh copy of the private key of one of this wallet's addresses; the caller wipes it after signing. */
  signingKey(address: string): Uint8Array {
    const k = this.keys().find((x) => x.key.address === address);
    if (!k) throw new WalletError('not-my-address', `${address} is not an address of this node's wallet (see listaddresses)`);
    const s = this.secrets();
    if (!s) throw lockedError();
    return k.legacy !== null ? Uint8Array.from(s.legacy[k.legacy]!) : privateKeyAt(s.seed!, k.index!);
  }

  /** The 24 words, for an explicit request; an encrypted wallet must be unlocked first. */
  mnemonic(): string {
    if (!this.doc.hd) throw new WalletError('wallet-empty', 'this wallet has no seed yet: run createwallet');
    const s = this.secrets();
    if (!s) throw lockedError();
    return mnemonicOf(s.entropy!);
  }

  /** Read-modify-write under the file lock: `job` edits the doc just read; it is then written (.bak, then the file). */
  private async change<T>(job: (doc: WalletDoc) => Promise<T>): Promise<T> {
    return withFileLock(`${this.path}.lock`, async () => {
      const doc = (await readDoc(this.path)) ?? emptyDoc();
      const out = await job(doc);
      await writeDoc(this.path, serializeDoc(doc));
      if (this.doc.sealed && (!doc.sealed || sealedId(doc.sealed) !== sealedId(this.doc.sealed)) && this.own) { wipeSecrets(this.own); this.own = null; }
      this.doc = doc;
      return out;
    });
  }

  /** Secrets of `doc` for a change that must re-seal them: plain, already unlocked, or from `pass`. */
  private async secretsFor(doc: WalletDoc, pass: string | undefined): Promise<Secrets> {
    if (!doc.sealed) return doc.plain ?? { entropy: null, seed: null, legacy: [] };
    const s = this.secrets();
    if (s && this.doc.sealed && sealedId(this.doc.sealed) === sealedId(doc.sealed)) return copySecrets(s);
    if (pass === undefined) throw lockedError();
    return Wallet.decrypt(doc, pass);
  }

  /** Gives `doc` a seed from `mnemonic`; sealed wallets are re-sealed with `pass`. */
  private async addSeed(doc: WalletDoc, mnemonic: string, bip39Passphrase: string, pass: string | undefined, next: number): Promise<void> {
    if (doc.sealed && pass === undefined) throw new WalletError('wallet-locked', `${lockedError().message} (this encrypted wallet has no seed yet; sealing a new one needs the passphrase: --passphrase-file)`);
    const s = await this.secretsFor(doc, pass);
    s.entropy = entropyOf(mnemonic);
    s.seed = seedOf(mnemonic, bip39Passphrase);
    doc.hd = { chain: new AddressChain(chainXpub(s.seed)), next };
    if (doc.sealed) doc.sealed = await seal(encodeSecrets(s), pass!);
    else doc.plain = s;
  }

  /**
   * Derives the next address. The first call on a wallet without a seed makes
   * one and returns its mnemonic (shown once); later calls return null there.
   * An encrypted wallet with a seed needs no passphrase: the xpub gives the address.
   */
  async createKey(opts: { passphrase?: string; bip39Passphrase?: string } = {}): Promise<WalletKey & { mnemonic: string | null }> {
    return this.change(async (doc) => {
      let mnemonic: string | null = null;
      if (!doc.hd) {
        mnemonic = newMnemonic();
        await this.addSeed(doc, mnemonic, opts.bip39Passphrase ?? '', opts.passphrase, 0);
      }
      const index = doc.hd!.next++;
      return { ...doc.hd!.chain.at(index), mnemonic };
    });
  }

  /** Seeds an empty wallet (or a version-1 one) from words; `next` addresses are listed (restore.ts finds it). */
  async restoreSeed(mnemonic: string, bip39Passphrase: string, next: number, pass?: string): Promise<void> {
    await this.change(async (doc) => {
      if (doc.hd) throw new WalletError('wallet-has-seed', `${this.path} already has a seed: restore into a new data directory, or move the wallet file (and its .bak) away first`);
      await this.addSeed(doc, mnemonic, bip39Passphrase, pass, next);
    });
  }

  async encrypt(pass: string): Promise<void> {
    await this.change(async (doc) => {
      if (doc.sealed) throw new WalletError('wrong-enc-state', 'Error: running with an encrypted wallet, but encryptwallet was called.');
      if (!doc.plain) throw new WalletError('wallet-empty', 'this wallet has no keys yet: run createwallet first');
      doc.sealed = await seal(encodeSecrets(doc.plain), pass);
      doc.plain = null;
    });
    lockHeld(this.path);
  }

  async changePassphrase(oldPass: string, newPass: string): Promise<void> {
    await this.change(async (doc) => {
      if (!doc.sealed) throw new WalletError('wrong-enc-state', 'Error: running with an unencrypted wallet, but walletpassphrasechange was called.');
      const s = await Wallet.decrypt(doc, oldPass);
      try { doc.sealed = await seal(encodeSecrets(s), newPass); } finally { wipeSecrets(s); }
    });
    lockHeld(this.path);
  }

  /** backupwallet: an identical (still encrypted) copy at `dest`, written atomically; the wallet remembers where. */
  async backup(dest: string): Promise<string> {
    const target = resolve(dest);
    if (target === this.path || target === `${this.path}.bak`) throw new WalletError('bad-backup-path', `the backup must go elsewhere than ${target}`);
    await this.change(async (doc) => {
      if (!doc.plain && !doc.sealed) throw new WalletError('wallet-empty', 'this wallet has no keys yet: nothing to back up');
      doc.lastBackup = target;
      await writeFileAtomic(target, serializeDoc(doc));
    });
    return target;
  }
}
