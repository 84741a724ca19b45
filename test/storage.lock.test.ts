// A database held by another process cannot be opened: the open fails at once
// with a typed error, it never waits for the lock.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseLockedError } from '../src/storage/errors.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { killHard, spawnChild, waitForLine } from './helpers/childProcess.js';
import { tempDir } from './helpers/tempDir.js';

/** Rejects if `p` has not settled within `ms`: an open that waits for the lock would hang here. */
function settlesWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms); });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

test('opening a database another process holds fails with db-locked, and works once it is gone', async () => {
  const t = await tempDir('lock');
  const child = spawnChild(['hold', t.dir]);
  try {
    await waitForLine(child, /^ready$/, 20_000);
    await assert.rejects(settlesWithin(RocksStore.open(t.dir), 5_000), (e: unknown) => {
      assert.ok(e instanceof DatabaseLockedError, `got ${String(e)}`);
      assert.equal(e.code, 'db-locked');
      assert.match(e.message, /in use by another pubchain process \(is a node running\?\)/);
      assert.ok(e.message.includes(t.dir));
      return true;
    });
    await killHard(child);
    const store = await settlesWithin(RocksStore.open(t.dir), 5_000);
    await store.close();
  } finally {
    await killHard(child);
    await t.cleanup();
  }
});

test('a second open in the same process fails with db-locked too', async () => {
  const t = await tempDir('lock-self');
  try {
    const first = await RocksStore.open(t.dir);
    await assert.rejects(settlesWithin(RocksStore.open(t.dir), 5_000), { code: 'db-locked' });
    await first.close();
    const again = await RocksStore.open(t.dir);
    await again.close();
  } finally { await t.cleanup(); }
});

test('an unopenable path fails with db-open, not a crash', async () => {
  const t = await tempDir('lock-file');
  try {
    const { writeFile } = await import('node:fs/promises');
    const file = `${t.dir}/not-a-dir`;
    await writeFile(file, 'x');
    await assert.rejects(RocksStore.open(file), { code: 'db-open' });
  } finally { await t.cleanup(); }
});
