// The tutorial's three-node walkthrough as `npm run demo` runs it: separate
// OS processes on 127.0.0.1, main-network proof of work, exact balances on
// every node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoProblems, EXPECTED_BALANCES, runDemo } from '../scripts/demo.js';
import { tempDir } from './helpers/tempDir.js';

test('central, wallet and miner nodes converge with exact balances', { timeout: 90_000 }, async () => {
  const { dir, cleanup } = await tempDir('demo');
  try {
    const lines: string[] = [];
    const r = await runDemo(dir, { say: (l) => lines.push(l), ephemeralPorts: true, network: 'main' });
    assert.deepEqual(demoProblems(r), [], lines.join('\n'));
    for (const role of ['central', 'wallet', 'miner']) {
      assert.equal(r.heights[role], 4);
      assert.deepEqual(r.balances[role], EXPECTED_BALANCES);
    }
  } finally {
    await cleanup();
  }
});
