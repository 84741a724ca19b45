// Files a node must never half-write (its wallet, its pending spends): the new
// content goes to a temp file in the same directory, is fsynced, then renamed
// over the old one, so a crash leaves either the old file or the new one.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  // The rename itself lives in the directory entry; sync it too where the platform allows.
  const dh = await open(dir, 'r').catch(() => null);
  if (dh) { await dh.sync().catch(() => undefined); await dh.close(); }
}
