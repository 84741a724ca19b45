// A node's keys, in one JSON file in its data directory (the tutorial kept a
// gob file per node). The file is never silently replaced: a corrupt one stops
// every command with an error that names it, so a typo cannot cost keys.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromHex, toHex } from '../core/bytes.js';
import { encodeAddress } from '../crypto/address.js';
import { isPrivateKey, newPrivateKey, publicKeyOf, pubKeyHashOf } from '../crypto/keys.js';
import { writeFileAtomic } from './atomicFile.js';
import { withFileLock } from './fileLock.js';
import { WalletError } from './walletErrors.js';

export const WALLET_FILE = 'wallet.json';
const FORMAT = 'pubchain-wallet';
const VERSION = 1;

export interface WalletKey {
  address: string;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  pubKeyHash: Uint8Array;
}

interface WalletJson {
  format: string;
  version: number;
  keys: Array<{ address: string; privateKey: string }>;
}

export class Wallet {
  private constructor(readonly path: string, private readonly keys: WalletKey[]) {}

  /** Loads `<datadir>/wallet.json`; a missing file is an empty wallet. */
  static async open(datadir: string): Promise<Wallet> {
    const path = join(datadir, WALLET_FILE);
    return new Wallet(path, await readKeys(path));
  }

  addresses(): string[] {
    return this.keys.map((k) => k.address);
  }

  keyFor(address: string): WalletKey | undefined {
    return this.keys.find((k) => k.address === address);
  }

  /** Makes a key and saves it; re-reads under a lock so two processes cannot drop each other's keys. */
  async createKey(): Promise<WalletKey> {
    const key = keyFromPrivate(newPrivateKey());
    await withFileLock(`${this.path}.lock`, async () => {
      const current = await readKeys(this.path);
      current.push(key);
      await writeFileAtomic(this.path, serialize(current));
      this.keys.splice(0, this.keys.length, ...current);
    });
    return key;
  }
}

function keyFromPrivate(privateKey: Uint8Array): WalletKey {
  const publicKey = publicKeyOf(privateKey);
  const pubKeyHash = pubKeyHashOf(publicKey);
  return { address: encodeAddress(pubKeyHash), privateKey, publicKey, pubKeyHash };
}

function serialize(keys: WalletKey[]): string {
  const json: WalletJson = { format: FORMAT, version: VERSION, keys: keys.map((k) => ({ address: k.address, privateKey: toHex(k.privateKey) })) };
  return `${JSON.stringify(json, null, 2)}\n`;
}

async function readKeys(path: string): Promise<WalletKey[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new WalletError('wallet-unreadable', `cannot read the wallet file ${path}: ${(e as Error).message}`, { path });
  }
  const corrupt = (why: string): never => {
    throw new WalletError('wallet-corrupt', `the wallet file ${path} is corrupt (${why}); it was left untouched: restore it from a backup or move it away`, { path });
  };
  let json: WalletJson;
  try { json = JSON.parse(text) as WalletJson; } catch { return corrupt('not valid JSON'); }
  if (!json || typeof json !== 'object' || json.format !== FORMAT) return corrupt('not a pubchain wallet');
  if (json.version !== VERSION) return corrupt(`unknown version ${String(json.version)}`);
  if (!Array.isArray(json.keys)) return corrupt('no key list');
  return json.keys.map((entry, i) => {
    if (!entry || typeof entry.privateKey !== 'string' || !/^[0-9a-f]{64}$/.test(entry.privateKey)) return corrupt(`key ${i + 1} is malformed`);
    const priv = fromHex(entry.privateKey);
    if (!isPrivateKey(priv)) return corrupt(`key ${i + 1} is not a valid secp256k1 key`);
    const key = keyFromPrivate(priv);
    if (entry.address !== key.address) return corrupt(`key ${i + 1} does not match its address ${String(entry.address)}`);
    return key;
  });
}
