// Whether this node's own process is running: `startnode` writes
// `<datadir>/node.json` (pid, ports) next to the RPC cookie and removes both
// when it stops. A command that finds a live pid talks to the node over
// JSON-RPC instead of opening the database the node holds; a pid that is gone
// (the node was killed with -9) marks both files stale, and they are cleared.
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PubchainError } from '../core/errors.js';
import { readCookie, cookiePath, type Credentials } from '../rpc/cookie.js';
import { rpcCall } from '../rpc/client.js';
import { isProcessAlive } from '../wallet/fileLock.js';

export const NODE_FILE = 'node.json';

export interface NodeFileInfo {
  pid: number;
  p2pPort: number;
  rpcPort: number;
  rpcHost: string;
  network: string;
  startedAt: number;
}

export interface LiveNode {
  info: NodeFileInfo;
  call<T>(method: string, params?: unknown[] | Record<string, unknown>, timeoutMs?: number): Promise<T>;
}

export const nodeFilePath = (datadir: string): string => join(datadir, NODE_FILE);

export async function writeNodeFile(datadir: string, info: NodeFileInfo): Promise<void> {
  // Loaded here: only the node writes the file, and every routed command imports this module.
  const { writeFileAtomic } = await import('../wallet/atomicFile.js');
  await writeFileAtomic(nodeFilePath(datadir), `${JSON.stringify(info, null, 2)}\n`, 0o600);
}

/** Removes node.json only if it still names this process (a newer node may own it). */
export async function removeNodeFile(datadir: string, pid = process.pid): Promise<void> {
  const info = await readNodeFile(datadir).catch(() => null);
  if (info && info.pid === pid) await rm(nodeFilePath(datadir), { force: true });
}

/**
 * Whether the pid is a pubchain node process, where the OS says (Linux's /proc): true, false,
 * or null when it cannot tell. Saves the CLI a round trip to the node before every call.
 */
function isNodeProcess(pid: number): boolean | null {
  let cmdline: string;
  try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1'); } catch { return null; }
  return cmdline.split('\0').some((arg) => arg.toLowerCase() === 'startnode');
}

async function answers(info: NodeFileInfo, auth: Credentials): Promise<boolean> {
  try {
    await rpcCall({ host: info.rpcHost, port: info.rpcPort }, auth, 'uptime', [], { timeoutMs: 3000 });
    return true;
  } catch (e) {
    // Refused or timed out: no node behind the file. Any answer (even an auth error) means one is there.
    return e instanceof PubchainError && e.code !== 'rpc-unreachable' && e.code !== 'rpc-timeout';
  }
}


async function readNodeFile(datadir: string): Promise<NodeFileInfo | null> {
  let text: string;
  try { text = await readFile(nodeFilePath(datadir), 'utf8'); } catch { return null; }
  try {
    const j = JSON.parse(text) as NodeFileInfo;
    if (Number.isInteger(j.pid) && j.pid > 0 && Number.isInteger(j.rpcPort) && typeof j.rpcHost === 'string') return j;
  } catch { /* treated as stale below */ }
  return null;
}

/**
 * The running node of `datadir`, or null when none runs. Stale files left by
 * a killed node are removed on the way.
 */
export async function findRunningNode(datadir: string, creds?: Credentials): Promise<LiveNode | null> {
  const info = await readNodeFile(datadir);
  if (!info || !isProcessAlive(info.pid) || info.pid === process.pid) {
    await rm(nodeFilePath(datadir), { force: true });
    await rm(cookiePath(datadir), { force: true });
    return null;
  }
  const auth = creds ?? (await readCookie(datadir).catch(() => null));
  // The pid may have been reused by another process since a kill -9: its command line says
  // so where the OS shows it; elsewhere a node that is really there answers at once.
  const isNode = isNodeProcess(info.pid);
  if (!auth || isNode === false || (isNode === null && !(await answers(info, auth)))) {
    await rm(nodeFilePath(datadir), { force: true });
    if (auth) await rm(cookiePath(datadir), { force: true });
    return null;
  }
  return {
    info,
    call: async <T>(method: string, params: unknown[] | Record<string, unknown> = [], timeoutMs = 30_000): Promise<T> => {
      return rpcCall<T>({ host: info.rpcHost, port: info.rpcPort }, auth, method, params, { timeoutMs });
    },
  };
}
