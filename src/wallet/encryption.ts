// Encryption at rest: scrypt turns the passphrase into a 256-bit key, which
// seals the wallet's secrets with AES-256-GCM (node:crypto). The parameters are
// stored beside the ciphertext, so a wallet written with other costs still opens.
//
// SCRYPT_COST: N = 2^17, r = 8, p = 1 (128 MiB of memory), a fresh 32-byte salt
// and a fresh 12-byte IV on every encryption. Measured at about 330 ms per
// derivation on the 2-core development machine (docs/wallet.md).
import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { WalletError } from './walletErrors.js';

export interface ScryptCost { N: number; r: number; p: number }
export const SCRYPT_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
/** The AES-GCM associated data: a ciphertext moved into another format version fails. */
const AAD = Buffer.from('pubchain-wallet-v2');

export interface Sealed {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  cipher: 'aes-256-gcm';
  iv: string;
  tag: string;
  data: string;
}

export const MIN_PASSPHRASE = 1;
export const MAX_PASSPHRASE = 1024;

export function checkPassphrase(pass: string): void {
  if (pass.length < MIN_PASSPHRASE) throw new WalletError('bad-passphrase', 'the passphrase is empty');
  if (pass.length > MAX_PASSPHRASE) throw new WalletError('bad-passphrase', `the passphrase is longer than ${MAX_PASSPHRASE} characters`);
}

export function deriveKey(pass: string, salt: Uint8Array, cost: ScryptCost): Promise<Buffer> {
  const maxmem = 128 * cost.N * cost.r * 2;
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(pass.normalize('NFKC'), 'utf8'), salt, 32, { ...cost, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function seal(plain: Uint8Array, pass: string, cost: ScryptCost = SCRYPT_COST): Promise<Sealed> {
  checkPassphrase(pass);
  const salt = randomBytes(32);
  const iv = randomBytes(12);
  const key = await deriveKey(pass, salt, cost);
  try {
    const c = createCipheriv('aes-256-gcm', key, iv).setAAD(AAD);
    const data = Buffer.concat([c.update(plain), c.final()]);
    return { kdf: 'scrypt', ...cost, salt: salt.toString('hex'), cipher: 'aes-256-gcm', iv: iv.toString('hex'), tag: c.getAuthTag().toString('hex'), data: data.toString('hex') };
  } finally {
    key.fill(0);
  }
}

/** The plaintext, or 'wrong-passphrase' when the tag does not verify (a wrong passphrase or a changed file). */
export async function open(sealed: Sealed, pass: string): Promise<Uint8Array> {
  const key = await deriveKey(pass, Buffer.from(sealed.salt, 'hex'), sealed);
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'hex')).setAAD(AAD);
    d.setAuthTag(Buffer.from(sealed.tag, 'hex'));
    return new Uint8Array(Buffer.concat([d.update(Buffer.from(sealed.data, 'hex')), d.final()]));
  } catch {
    throw new WalletError('wrong-passphrase', 'Error: The wallet passphrase entered was incorrect.');
  } finally {
    key.fill(0);
  }
}

/** Checks the envelope's fields (so a damaged file is "corrupt", never a crash); null when it is fine. */
export function sealedProblem(s: unknown): string | null {
  if (!s || typeof s !== 'object') return 'the encryption record is not an object';
  const o = s as Record<string, unknown>;
  if (o.kdf !== 'scrypt' || o.cipher !== 'aes-256-gcm') return 'unknown KDF or cipher';
  const pow2 = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 2 && (n as number) <= 2 ** 22 && ((n as number) & ((n as number) - 1)) === 0;
  if (!pow2(o.N) || !Number.isInteger(o.r) || !Number.isInteger(o.p) || (o.r as number) < 1 || (o.r as number) > 32 || (o.p as number) < 1 || (o.p as number) > 16) return 'scrypt parameters out of range';
  const hex = (v: unknown, len?: number): boolean => typeof v === 'string' && /^([0-9a-f]{2})*$/.test(v) && (len === undefined || v.length === len * 2);
  if (!hex(o.salt, 32) || !hex(o.iv, 12) || !hex(o.tag, 16) || !hex(o.data) || (o.data as string).length === 0) return 'malformed salt, IV, tag or ciphertext';
  return null;
}

/** Constant-time equality for byte strings of secrets. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
