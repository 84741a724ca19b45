// Short form of the crash loop (test/reliability/crashLoop.ts): 8 SIGKILLs of
// node processes during sync, mining and a reorganisation, each followed by
// the CLI's checks (reindexutxo unchanged, a consistent tip, the wallet's keys)
// and, per episode, a restart that must reach the source's tip.
// The seed is printed; RELIABILITY_SEED replays the kill schedule.
import test from 'node:test';
import assert from 'node:assert/strict';
import { runCrashLoop, SHORT } from './reliability/crashLoop.js';

const seed = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : Math.floor(Math.random() * 2 ** 31);

test('node processes killed with SIGKILL during sync, mining and a reorg reopen consistent, keep their wallets and finish', { timeout: 180_000 }, async (t) => {
  const r = await runCrashLoop({ ...SHORT, seed });
  for (const k of r.kills) t.diagnostic(`${k.scenario} (${k.phase}, +${k.delayMs} ms): reported ${k.logged?.height ?? '-'}, stored ${k.stored?.height ?? '-'}${k.midReorg ? ', mid-reorg' : ''}`);
  t.diagnostic(`seed ${seed}: ${JSON.stringify(r.summary)} in ${r.durationMs} ms`);
  assert.deepEqual(r.problems, [], `seed ${seed}`);
  assert.equal(r.summary.kills, SHORT.kills.sync + SHORT.kills.mining + SHORT.kills.reorg);
  assert.equal(r.summary.txsLost, 0);
  // Every episode (the mining one included: all offered transactions mined) ended where it had to.
  assert.ok(r.episodes.length >= 3 && r.episodes.every((e) => e.reachedTarget), JSON.stringify(r.episodes));
});
