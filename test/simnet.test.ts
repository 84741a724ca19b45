// The short form of the simnet (scripts/simnet): 8 real node processes on a
// random graph of degree 4 with 50±10 ms links and 1% loss, in network
// namespaces where the machine allows them (loopback addresses otherwise), one
// partition and heal, one kill -9 and restart, and node 0 surrounded by junk
// peers with one honest link. The long forms run in
// `npm run reliability`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const MAIN = fileURLToPath(new URL('../scripts/simnet/main.js', import.meta.url));

function runSimnet(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

function leftoverNamespaces(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('pcsim-'));
  } catch { return []; }
}

test('simnet short form: 8 nodes, propagation, a partition that heals, a kill -9, a node surrounded by junk peers; everything removed afterwards', { timeout: 240_000 }, async () => {
  const r = await runSimnet(['--nodes', '8', '--topology', 'random:4', '--scenario', 'short', '--json'], 200_000);
  const doc = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
  assert.match(r.stderr, /simnet isolation: (netns|loopback)/, 'the isolation is said at the top of the output');
  assert.ok(doc.isolation === 'netns' || doc.isolation === 'loopback', r.stderr.slice(-2000));
  assert.equal(doc.nodes, 8);
  // Every node received the block and the transaction (the run fails otherwise); the times are figures, not asserted.
  assert.equal(typeof doc.propagation.maxMs, 'number', JSON.stringify(doc.propagation));
  assert.equal(typeof doc.txPropagation.maxMs, 'number', JSON.stringify(doc.txPropagation));
  // After the heal every node is on the chain with the most work.
  assert.equal(doc.converged, true, JSON.stringify(doc.problems ?? []));
  assert.deepEqual(doc.problems ?? [], []);
  // The losing half's two blocks left the chain; none of its transactions was lost; no conflicting pair confirmed.
  assert.equal(doc.reorgDepth, 2);
  assert.equal(doc.txLost, 0);
  assert.equal(doc.doubleSpends, 0);
  // After kill -9 and restart, each node's UTXO set equals a reindex of its blocks.
  assert.equal(doc.churn.kills, 1);
  assert.deepEqual(doc.churn.utxoMismatches, []);
  assert.equal(doc.churn.utxoChecked, 8);
  // Surrounded by 4 junk peers, node 0 learned the honest chain over its one honest link and dropped every junk peer.
  assert.equal(doc.surrounded.learned, true);
  assert.equal(doc.surrounded.junkDropped, 4);
  assert.deepEqual(leftoverNamespaces(), [], 'no namespace is left behind');
});
