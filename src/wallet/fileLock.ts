// A small cross-process lock for read-modify-write of wallet files: an
// exclusive-create lock file holding the owner's pid. A lock left by a dead
// process is taken over, so a crash never wedges the wallet. The lock file is
// made by hard-linking a temp file that already holds the pid, so it is never
// seen empty (a kill between create and write would have wedged it).
import { link, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WalletError } from './walletErrors.js';

/** True while a process with this pid exists (it may belong to another user). */
export function isProcessAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

let lockSeq = 0;

export async function withFileLock<T>(lockPath: string, job: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  await mkdir(dirname(lockPath), { recursive: true });
  // Unique within the process too: two calls in one millisecond must not share (and delete) one temp file.
  const mine = join(dirname(lockPath), `.${basename(lockPath)}.${process.pid}.${Date.now()}${String(++lockSeq % 10_000).padStart(4, '0')}.tmp`);
  await writeFile(mine, String(process.pid), { mode: 0o600 });
  for (;;) {
    try {
      await link(mine, lockPath);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') { await rm(mine, { force: true }); throw e; }
      const held = await readLock(lockPath);
      const owner = held?.pid ?? 0;
      if (held && owner > 0 && !isProcessAlive(owner)) {
        // Only the very file whose owner is dead is taken over: its owner may have released it and
        // exited since we read it, and another process may hold a new lock at that path by now.
        const now = await stat(lockPath).catch(() => null);
        if (now && now.ino === held.ino && now.dev === held.dev) await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > end) { await rm(mine, { force: true }); throw new WalletError('wallet-busy', `the wallet is locked by process ${owner || '?'} (${lockPath}); try again`); }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await rm(mine, { force: true });
  try {
    return await job();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/** The pid in a lock file and which file it was (device and inode), read from one open handle; null when there is none. */
async function readLock(lockPath: string): Promise<{ pid: number; ino: number; dev: number } | null> {
  const fh = await open(lockPath, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const [text, st] = await Promise.all([fh.readFile('utf8'), fh.stat()]);
    const pid = Number(text);
    return Number.isInteger(pid) && pid > 0 ? { pid, ino: st.ino, dev: st.dev } : null;
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}
