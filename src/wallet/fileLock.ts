// A small cross-process lock for read-modify-write of wallet files: an
// exclusive-create lock file holding the owner's pid. A lock left by a dead
// process is taken over, so a crash never wedges the wallet.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WalletError } from './walletErrors.js';

/** True while a process with this pid exists (it may belong to another user). */
export function isProcessAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export async function withFileLock<T>(lockPath: string, job: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  await mkdir(dirname(lockPath), { recursive: true });
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(await readFile(lockPath, 'utf8').catch(() => ''));
      if (Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner)) { await rm(lockPath, { force: true }); continue; }
      if (Date.now() > end) throw new WalletError('wallet-busy', `the wallet is locked by process ${owner || '?'} (${lockPath}); try again`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  try {
    return await job();
  } finally {
    await rm(lockPath, { force: true });
  }
}
