// Temporary directories under os.tmpdir(), removed by the returned cleanup.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function tempDir(tag: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `pubchain-${tag}-`));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}
