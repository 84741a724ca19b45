// A small cross-process lock for read-modify-write of wallet files: an
// exclusive-create lock file holding the owner's pid. A lock left by a dead
// process is taken over, so a crash never wedges the wallet. The lock file is
// made by hard-linking a temp file that already holds the pid, so it is never
// seen empty (a kill between create and write would have wedged it).
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WalletError } from './walletErrors.js';

/** True while a process with this pid exists (it may belong to another user). */
export function isProcessAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export async function withFileLock<T>(lockPath: string, job: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  await mkdir(dirname(lockPath), { recursive: true });
  const mine = join(dirname(lockPath), `.${basename(lockPath)}.${process.pid}.${Date.now()}.tmp`);
  await writeFile(mine, String(process.pid), { mode: 0o600 });
  for (;;) {
    try {
      await link(mine, lockPath);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') { await rm(mine, { force: true }); throw e; }
      const owner = Number(await readFile(lockPath, 'utf8').catch(() => ''));
      if (Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner)) { await rm(lockPath, { force: true }); continue; }
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
