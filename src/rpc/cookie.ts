// Cookie authentication, as bitcoind does it: at start the node writes a fresh
// random password to <datadir>/.cookie (readable by its owner only) and removes
// it on shutdown, so any process of the same user can call the node without a
// configured password, and a stale cookie never outlives its node.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PubchainError } from '../core/errors.js';
import { writeFileAtomic } from '../wallet/atomicFile.js';

export const COOKIE_FILE = '.cookie';
export const COOKIE_USER = '__cookie__';

export interface Credentials {
  user: string;
  password: string;
}

export const cookiePath = (datadir: string): string => join(datadir, COOKIE_FILE);

export async function writeCookie(datadir: string): Promise<Credentials> {
  const creds = { user: COOKIE_USER, password: Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('hex') };
  await writeFileAtomic(cookiePath(datadir), `${creds.user}:${creds.password}`, 0o600);
  return creds;
}

/** Removes the cookie only when it is still ours: a node started since then owns the file. */
export async function removeCookie(datadir: string, ours: Credentials): Promise<void> {
  const current = await readFile(cookiePath(datadir), 'utf8').catch(() => null);
  if (current !== null && current.trim() === `${ours.user}:${ours.password}`) await rm(cookiePath(datadir), { force: true });
}

export async function readCookie(datadir: string): Promise<Credentials> {
  const path = cookiePath(datadir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PubchainError('no-cookie', `no RPC cookie at ${path}: is the node running with this data directory? (or pass --rpc-user and --rpc-password)`, { path });
    }
    throw new PubchainError('no-cookie', `cannot read the RPC cookie ${path}: ${(e as Error).message}`, { path });
  }
  const line = text.trim();
  const colon = line.indexOf(':');
  if (colon <= 0 || colon === line.length - 1) throw new PubchainError('bad-cookie', `the RPC cookie ${path} is malformed`, { path });
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}
