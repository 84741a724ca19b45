// wallet.json on disk (docs/wallet.md). Version 2 keeps the public half in the
// clear (the chain's xpub, the version-1 keys' public keys) and the secrets
// either as hex (`secrets`) or sealed (`encryption`). Version 1 (raw keys) is
// still read; it is written as version 2 on the next change.
//
// Every write goes to wallet.json.bak and to wallet.json, each atomically
// (temp file, fsync, rename), so a kill at any moment leaves readable files,
// and a wallet.json damaged later has an identical twin.
// A damaged or missing wallet.json beside a .bak stops every command with an
// error naming both, never a silent empty wallet. `check` (a SHA-256 over the
// other fields) catches a changed byte that still reads as valid JSON; a file
// written before it existed is read without one and gets one on its next write.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fromHex, toHex } from '../core/bytes.js';
import { sha256 } from '../core/hash.js';
import { encodeAddress } from '../crypto/address.js';
import { isPrivateKey, publicKeyOf, pubKeyHashOf } from '../crypto/keys.js';
import { writeFileAtomic } from './atomicFile.js';
import { sealedProblem, type Sealed } from './encryption.js';
import { isProcessAlive } from './fileLock.js';
import { decodeSecrets, encodeSecrets, type Secrets } from './keystore.js';
import { AddressChain, CHAIN_PATH, chainXpub, type PublicKeyInfo } from './seed.js';
import { WalletError } from './walletErrors.js';

export const FORMAT = 'pubchain-wallet';
export const VERSION = 2;
export const MAX_ADDRESSES = 1_000_000;

export interface WalletDoc {
  hd: { chain: AddressChain; next: number } | null;
  legacy: PublicKeyInfo[];
  /** Unencrypted wallets: the secret record. */
  plain: Secrets | null;
  sealed: Sealed | null;
  /** Where backupwallet last wrote a copy. */
  lastBackup: string | null;
}

export const emptyDoc = (): WalletDoc => ({ hd: null, legacy: [], plain: null, sealed: null, lastBackup: null });
export const backupPath = (path: string): string => `${path}.bak`;
export const sealedId = (s: Sealed): string => `${s.salt}:${s.iv}`;

export function serializeDoc(doc: WalletDoc): string {
  const json = {
    format: FORMAT,
    version: VERSION,
    hd: doc.hd && { path: CHAIN_PATH, xpub: doc.hd.chain.xpub, next: doc.hd.next },
    legacy: doc.legacy.map((k) => ({ address: k.address, publicKey: toHex(k.publicKey) })),
    secrets: doc.sealed || !doc.plain ? null : toHex(encodeSecrets(doc.plain)),
    encryption: doc.sealed,
    lastBackup: doc.lastBackup,
  };
  return `${JSON.stringify({ ...json, check: checkOf(json) }, null, 2)}\n`;
}

const CHECKED = ['format', 'version', 'hd', 'legacy', 'secrets', 'encryption', 'lastBackup'] as const;

/** SHA-256 (hex) over the checked fields, in this order, as compact JSON. */
function checkOf(j: Record<string, unknown>): string {
  const fields = Object.fromEntries(CHECKED.map((k) => [k, j[k] ?? null]));
  return toHex(sha256(new TextEncoder().encode(JSON.stringify(fields))));
}

/** Parses and checks a wallet file's text; throws a plain Error saying what is wrong. */
export function parseDoc(text: string): WalletDoc {
  let j: Record<string, any>;
  try { j = JSON.parse(text) as Record<string, any>; } catch { throw new Error('not valid JSON'); }
  if (!j || typeof j !== 'object' || j.format !== FORMAT) throw new Error('not a pubchain wallet');
  if (j.version === 1) return parseV1(j);
  if (j.version !== VERSION) throw new Error(`unknown version ${String(j.version)}`);
  if (j.check !== undefined && j.check !== checkOf(j)) throw new Error('its contents do not match their checksum');
  const doc = emptyDoc();
  if (j.hd !== null) {
    if (!j.hd || j.hd.path !== CHAIN_PATH || typeof j.hd.xpub !== 'string') throw new Error('malformed hd record');
    if (!Number.isInteger(j.hd.next) || j.hd.next < 0 || j.hd.next > MAX_ADDRESSES) throw new Error('malformed address count');
    doc.hd = { chain: new AddressChain(j.hd.xpub), next: j.hd.next };
  }
  if (!Array.isArray(j.legacy)) throw new Error('no legacy key list');
  doc.legacy = j.legacy.map((k: any, i: number) => {
    if (!k || typeof k.publicKey !== 'string' || !/^0[23][0-9a-f]{64}$/.test(k.publicKey)) throw new Error(`legacy key ${i + 1} is malformed`);
    const publicKey = fromHex(k.publicKey);
    const pubKeyHash = pubKeyHashOf(publicKey);
    if (encodeAddress(pubKeyHash) !== k.address) throw new Error(`legacy key ${i + 1} does not match its address`);
    return { address: k.address as string, publicKey, pubKeyHash };
  });
  if (j.lastBackup !== null && typeof j.lastBackup !== 'string') throw new Error('malformed lastBackup');
  doc.lastBackup = j.lastBackup ?? null;
  if (j.encryption !== null) {
    const why = sealedProblem(j.encryption);
    if (why) throw new Error(why);
    if (j.secrets !== null) throw new Error('both plain and sealed secrets');
    doc.sealed = j.encryption as Sealed;
  } else if (j.secrets !== null) {
    if (typeof j.secrets !== 'string' || !/^([0-9a-f]{2})+$/.test(j.secrets)) throw new Error('malformed secrets');
    doc.plain = decodeSecrets(fromHex(j.secrets));
    const problem = secretsProblem(doc, doc.plain);
    if (problem) throw new Error(problem);
  } else if (doc.hd || doc.legacy.length > 0) {
    throw new Error('the secrets are missing');
  }
  return doc;
}

function parseV1(j: Record<string, any>): WalletDoc {
  if (!Array.isArray(j.keys)) throw new Error('no key list');
  const doc = emptyDoc();
  const keys = j.keys.map((entry: any, i: number) => {
    if (!entry || typeof entry.privateKey !== 'string' || !/^[0-9a-f]{64}$/.test(entry.privateKey)) throw new Error(`key ${i + 1} is malformed`);
    const priv = fromHex(entry.privateKey);
    if (!isPrivateKey(priv)) throw new Error(`key ${i + 1} is not a valid secp256k1 key`);
    const publicKey = publicKeyOf(priv);
    const pubKeyHash = pubKeyHashOf(publicKey);
    if (entry.address !== encodeAddress(pubKeyHash)) throw new Error(`key ${i + 1} does not match its address ${String(entry.address)}`);
    doc.legacy.push({ address: entry.address, publicKey, pubKeyHash });
    return priv;
  });
  if (keys.length > 0) doc.plain = { entropy: null, seed: null, legacy: keys };
  return doc;
}

/** Whether decrypted or plain secrets fit the public half (same xpub, same legacy keys); null when they do. */
export function secretsProblem(doc: WalletDoc, s: Secrets): string | null {
  if (s.legacy.length !== doc.legacy.length) return 'the secret record holds a different number of keys';
  for (let i = 0; i < s.legacy.length; i++) {
    if (!isPrivateKey(s.legacy[i]!) || encodeAddress(pubKeyHashOf(publicKeyOf(s.legacy[i]!))) !== doc.legacy[i]!.address) return `legacy key ${i + 1} does not match its address`;
  }
  if ((s.seed === null) !== (doc.hd === null)) return 'the seed and the hd record disagree';
  if (s.seed && doc.hd && chainXpub(s.seed) !== doc.hd.chain.xpub) return 'the seed does not give the stored xpub';
  return null;
}

function corruptError(path: string, why: string, hint: string): WalletError {
  return new WalletError('wallet-corrupt', `the wallet file ${path} is corrupt (${why}); it was left untouched: ${hint}`, { path });
}

/** What to restore from: the .bak when it reads well, else the last backupwallet copy or the mnemonic. */
async function restoreHint(path: string): Promise<string> {
  const bak = backupPath(path);
  try {
    const doc = parseDoc(await readFile(bak, 'utf8'));
    return `restore it from ${bak} (cp ${bak} ${path})${doc.lastBackup ? ` or from your backup ${doc.lastBackup}` : ''}`;
  } catch {
    return `${bak} is not usable either: restore your backupwallet copy to ${path}, or move it away and run restorewallet with the mnemonic`;
  }
}

/** The wallet at `path`; null when there is none (no file and no .bak). */
export async function readDoc(path: string): Promise<WalletDoc | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new WalletError('wallet-unreadable', `cannot read the wallet file ${path}: ${(e as Error).message}`, { path });
    const bak = await readFile(backupPath(path), 'utf8').then(() => true, () => false);
    if (bak) throw new WalletError('wallet-missing', `the wallet file ${path} is missing but its backup ${backupPath(path)} exists: restore it (cp ${backupPath(path)} ${path}) or move the backup away`, { path });
    return null;
  }
  try {
    return parseDoc(text);
  } catch (e) {
    if (e instanceof WalletError && e.code !== 'wallet-corrupt') throw e;
    throw corruptError(path, (e as Error).message, await restoreHint(path));
  }
}

/** Writes .bak then the file; temp files left by killed processes go first (they may hold plain secrets). */
export async function writeDoc(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const m = /\.(\d+)\.\d+\.tmp$/.exec(n);
    if (n.startsWith(`.${basename(path)}.`) && m && !isProcessAlive(Number(m[1]))) await rm(join(dir, n), { force: true });
  }
  // A first write makes the file before its twin, so a kill between them never leaves a lone .bak
  // (which reads as "the wallet file is missing"); later ones update the twin first.
  const exists = await stat(path).then(() => true, () => false);
  if (!exists) await writeFileAtomic(path, text);
  await writeFileAtomic(backupPath(path), text);
  if (exists) await writeFileAtomic(path, text);
}

