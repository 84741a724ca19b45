// The wallet's secrets in memory: the mnemonic's entropy, the BIP39 seed and
// the private keys of version-1 wallets, as one binary record (what the file
// stores, plain or sealed). A running node that was given `walletpassphrase`
// keeps them here, per wallet file, until the timeout or `walletlock`, then
// zero-fills the buffers and drops them.
import { WalletError } from './walletErrors.js';

export interface Secrets {
  /** 32 bytes: the 24 words. Null in a version-1 wallet that was never given a seed. */
  entropy: Uint8Array | null;
  /** 64 bytes: BIP39 seed (the words with the optional extra passphrase). */
  seed: Uint8Array | null;
  /** Private keys of the version-1 keys, in the order of the file's `legacy` list. */
  legacy: Uint8Array[];
}

const RECORD_VERSION = 1;

/** [version][hasSeed][entropy 32, seed 64 if hasSeed][count u16][32 bytes per key]. */
export function encodeSecrets(s: Secrets): Uint8Array {
  const hasSeed = s.entropy !== null && s.seed !== null;
  const out = new Uint8Array(2 + (hasSeed ? 96 : 0) + 2 + 32 * s.legacy.length);
  out[0] = RECORD_VERSION;
  out[1] = hasSeed ? 1 : 0;
  let at = 2;
  if (hasSeed) { out.set(s.entropy!, at); out.set(s.seed!, at + 32); at += 96; }
  out[at] = s.legacy.length >> 8; out[at + 1] = s.legacy.length & 0xff; at += 2;
  for (const k of s.legacy) { out.set(k, at); at += 32; }
  return out;
}

export function decodeSecrets(b: Uint8Array): Secrets {
  const bad = (): never => { throw new WalletError('wallet-corrupt', 'the secret record is malformed'); };
  if (b.length < 4 || b[0] !== RECORD_VERSION || (b[1] !== 0 && b[1] !== 1)) return bad();
  let at = 2;
  let entropy: Uint8Array | null = null;
  let seed: Uint8Array | null = null;
  if (b[1] === 1) {
    if (b.length < at + 98) return bad();
    entropy = b.slice(at, at + 32); seed = b.slice(at + 32, at + 96); at += 96;
  }
  const n = (b[at]! << 8) | b[at + 1]!; at += 2;
  if (b.length !== at + 32 * n) return bad();
  const legacy: Uint8Array[] = [];
  for (let i = 0; i < n; i++) legacy.push(b.slice(at + 32 * i, at + 32 * i + 32));
  return { entropy, seed, legacy };
}

export function wipeSecrets(s: Secrets): void {
  s.entropy?.fill(0);
  s.seed?.fill(0);
  for (const k of s.legacy) k.fill(0);
}

export function copySecrets(s: Secrets): Secrets {
  return { entropy: s.entropy && Uint8Array.from(s.entropy), seed: s.seed && Uint8Array.from(s.seed), legacy: s.legacy.map((k) => Uint8Array.from(k)) };
}

/** The longest `walletpassphrase` timeout, as bitcoind's (about three years). */
export const MAX_UNLOCK_SECONDS = 100_000_000;

interface Unlocked {
  secrets: Secrets;
  /** Which sealed record these came from (its salt and IV): a re-encrypted file is locked again. */
  sealedId: string;
  until: number;
  timer: NodeJS.Timeout;
}

const unlocked = new Map<string, Unlocked>();

/** Holds the secrets of `walletPath` for `seconds`, replacing an earlier unlock (as bitcoind resets the timeout). */
export function holdUnlocked(walletPath: string, sealedId: string, secrets: Secrets, seconds: number): number {
  lockHeld(walletPath);
  const until = Date.now() + seconds * 1000;
  const timer = setTimeout(() => lockHeld(walletPath), seconds * 1000);
  timer.unref();
  unlocked.set(walletPath, { secrets, sealedId, until, timer });
  return until;
}

/** The held secrets, when they belong to the file's current sealed record. */
export function heldSecrets(walletPath: string, sealedId: string): Secrets | null {
  const u = unlocked.get(walletPath);
  if (!u || u.sealedId !== sealedId || Date.now() >= u.until) return null;
  return u.secrets;
}

/** Unix seconds the held unlock ends at, 0 when locked (getwalletinfo's unlocked_until). */
export function unlockedUntil(walletPath: string, sealedId: string): number {
  const u = unlocked.get(walletPath);
  return u && u.sealedId === sealedId && Date.now() < u.until ? Math.floor(u.until / 1000) : 0;
}

export function lockHeld(walletPath: string): void {
  const u = unlocked.get(walletPath);
  if (!u) return;
  clearTimeout(u.timer);
  wipeSecrets(u.secrets);
  unlocked.delete(walletPath);
}
