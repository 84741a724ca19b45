// `pubchain bench` as a user runs it (a child process through bin/pubchain.js):
// one JSON document with every figure, and the JSON and HTML files beside it.
// And the Stratum flags' usage errors.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { runCli } from './helpers/cliProcess.js';
import { tempDir } from './helpers/tempDir.js';

test('bench --json reports kernels, the reference and each thread count, and writes JSON and HTML', async () => {
  const t = await tempDir('cli-bench');
  try {
    const r = await runCli(['bench', '--threads', '1,2', '--seconds', '0.2', '--json', '--out', t.dir], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.ok(doc.kernels.scalar > 0 && doc.kernels.nodeCrypto > 0);
    assert.ok(doc.kernels.simd === null || doc.kernels.simd > 0);
    assert.deepEqual(doc.threads.map((x: { threads: number }) => x.threads), [1, 2]);
    for (const x of doc.threads) assert.ok(x.hashesPerSecond > 0);
    const saved = JSON.parse(await readFile(doc.files.json, 'utf8'));
    assert.deepEqual(saved.threads.map((x: { threads: number }) => x.threads), [1, 2]);
    assert.match(await readFile(doc.files.html, 'utf8'), /<svg[\s\S]+thread/);
  } finally {
    await t.cleanup();
  }
});

test('bench and startnode refuse bad flags with one-line usage errors', async () => {
  const bad = await runCli(['bench', '--threads', '0,x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threads/);
  const t = await tempDir('cli-stratum-flags');
  try {
    const r = await runCli(['--network', 'regtest', '--datadir', t.dir, 'startnode', '--port', '3999', '--stratum-bind', '0.0.0.0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--stratum-bind needs --stratum-port/);
    const p = await runCli(['--network', 'regtest', '--datadir', t.dir, 'startnode', '--port', '3999', '--stratum-port', '70000']);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /--stratum-port/);
  } finally {
    await t.cleanup();
  }
});
