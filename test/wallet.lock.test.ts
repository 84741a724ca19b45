// The wallet's cross-process lock: a lock left by a dead process is taken over,
// one held by a live process is not, and the lock serialises read-modify-write.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { withFileLock } from '../src/wallet/fileLock.js';
import { WalletError } from '../src/wallet/walletErrors.js';
import { tempDir } from './helpers/tempDir.js';

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

test('a lock left by a dead process is taken over; a live owner\'s lock is not', async () => {
  const root = await tempDir('wallet-lock');
  try {
    const lock = join(root.dir, 'w.json.lock');
    await writeFile(lock, String(await deadPid()));
    assert.equal(await withFileLock(lock, async () => 'ran'), 'ran');
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(lock, String(sleeper.pid));
      await assert.rejects(withFileLock(lock, async () => 'ran', 300), (e) => e instanceof WalletError && e.code === 'wallet-busy');
      assert.equal(await readFile(lock, 'utf8'), String(sleeper.pid), 'the live owner\'s lock is left alone');
    } finally {
      sleeper.kill('SIGKILL');
    }
  } finally {
    await root.cleanup();
  }
});

test('the lock serialises read-modify-write: 20 concurrent increments all land', async () => {
  const root = await tempDir('wallet-lock-count');
  try {
    const lock = join(root.dir, 'c.lock');
    const file = join(root.dir, 'count');
    await writeFile(file, '0');
    await Promise.all(Array.from({ length: 20 }, () => withFileLock(lock, async () => {
      const n = Number(await readFile(file, 'utf8'));
      await new Promise((r) => setTimeout(r, 1));
      await writeFile(file, String(n + 1));
    })));
    assert.equal(await readFile(file, 'utf8'), '20');
  } finally {
    await root.cleanup();
  }
});
