// Large --json output through a pipe arrives whole: the CLI exits only after
// stdout has flushed (it once exited first and cut the document short).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cliProcess.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';

test('printchain --json of 3000 blocks (about 2 MB) is read whole from a pipe', async () => {
  const { dir, cleanup } = await tempDir('output');
  try {
    const d = join(dir, 'node');
    await writeChain(d, buildChain(null, 3000, testKey(3)));
    const r = await runCli(['printchain', '--json', '--datadir', d, '--network', 'regtest']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length > 1_000_000);
    const blocks = JSON.parse(r.stdout) as Array<{ height: number }>;
    assert.equal(blocks.length, 3000);
    assert.equal(blocks[2999]!.height, 1);
  } finally {
    await cleanup();
  }
});
