// A small disk for the disk-full tests: an 8 MiB tmpfs (this needs root) that
// can be filled to leave a given number of bytes, and the exit code of a node
// process that is expected to stop on its own.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NodeProcess } from './cliProcess.js';

const run = promisify(execFile);

export interface SmallDisk {
  path: string;
  /** Fills the disk until about `bytes` are left. */
  fill(bytes: number): Promise<void>;
  /** Frees what fill() took. */
  free(): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountSmallDisk(under: string): Promise<SmallDisk> {
  const path = join(under, 'small-disk');
  await mkdir(path);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', path]);
  } catch (e) {
    assert.fail(`this test needs root to mount an 8 MiB tmpfs at ${path}: ${(e as Error).message}`);
  }
  const filler = join(path, 'filler');
  return {
    path,
    fill: async (bytes) => {
      const fs = await statfs(path);
      await writeFile(filler, Buffer.alloc(Math.max(0, Number(fs.bavail * fs.bsize) - bytes)));
    },
    free: () => rm(filler, { force: true }),
    unmount: async () => { await run('umount', [path]).catch(() => run('umount', ['-l', path])); },
  };
}

/** The exit code of a process that must stop by itself within `timeoutMs`. */
export async function exitOf(p: NodeProcess, timeoutMs: number): Promise<number | null> {
  if (!p.exited) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      p.child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
  }
  assert.ok(p.exited, `${p.node.role} node still running after ${timeoutMs} ms: ${p.log.slice(-3).join(' | ')}`);
  return p.child.exitCode;
}
