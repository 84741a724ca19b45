// The tutorial's three-node walkthrough as `npm run demo` runs it: separate
// OS processes on 127.0.0.1, main-network proof of work, exact balances on
// every node; and again with the wallet node as a light wallet (--spv).
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

test('with --spv, the wallet node is a light wallet and every node still sees A 42, B 11, C 11, M 36', { timeout: 90_000 }, async () => {
  const { dir, cleanup } = await tempDir('demospv');
  try {
    const lines: string[] = [];
    const r = await runDemo(dir, { say: (l) => lines.push(l), ephemeralPorts: true, network: 'main', spv: true });
    assert.deepEqual(demoProblems(r), [], lines.join('\n'));
    for (const role of ['central', 'wallet', 'miner']) {
      assert.equal(r.heights[role], 4);
      assert.deepEqual(r.balances[role], EXPECTED_BALANCES);
    }
    assert.ok(lines.some((l) => /light wallet/.test(l)), 'the walkthrough ran the light wallet');
  } finally {
    await cleanup();
  }
});
