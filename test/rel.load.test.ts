// Short form of the load test (test/reliability/loadTest.ts): a node process
// with a miner takes 1,000 transactions and 100 rival double spends from ten
// peers at once, then a hundred connections that handshake and drop at once.
// The seed is printed; RELIABILITY_SEED replays which outputs get rivals and
// which peers race.
import assert from 'node:assert/strict';
import test from 'node:test';
import { runLoadTest, SHORT } from './reliability/loadTest.js';

const seed = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : Math.floor(Math.random() * 2 ** 31);

test('ten peers racing 1,100 transactions, 100 of them double spends: each mined once, one of each pair, and the node serves after 100 dropped connections', { timeout: 120_000 }, async (t) => {
  const r = await runLoadTest({ ...SHORT, seed });
  const l = r.load;
  t.diagnostic(`seed ${seed}: ${l.sent} frames handled in ${l.handledMs} ms, mined in ${l.minedMs} ms (${l.txPerSec} tx/s, ${l.blocksMined} blocks), rejects ${JSON.stringify(l.rejects)}`);
  t.diagnostic(`mempool peak ${l.mempool.peakSize} txs / ${l.mempool.peakBytes} of ${l.mempool.maxmempool} bytes over ${l.mempool.samples} samples; peak RSS ${l.peakRssKb} kB; fresh pong ${r.churn.freshPongMs} ms`);
  assert.deepEqual(r.problems, [], `seed ${seed}`);
  assert.equal(r.mined.singlesMinedOnce, SHORT.txs - SHORT.conflicts);
  assert.equal(r.mined.pairsOneMined, SHORT.conflicts);
  assert.equal(r.mined.pairsBothMined, 0);
  assert.ok(l.mempool.samples > 0 && l.mempool.peakBytes <= l.mempool.maxmempool, JSON.stringify(l.mempool));
  assert.equal(r.churn.handshaken, SHORT.dropConnections);
  assert.notEqual(r.churn.freshPongMs, null);
  assert.equal(r.node.exitedDuringRun, false);
  assert.deepEqual(r.node.stop, { code: 0, signal: null });
});
