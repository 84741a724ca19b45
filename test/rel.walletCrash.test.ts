// Short form of the wallet crash loop (test/reliability/walletCrashLoop.ts):
// 10 SIGKILLs of `pubchain` processes during createwallet, encryptwallet,
// walletpassphrasechange and restorewallet; after each the wallet opens, has
// every address it had, and its seed decrypts to the same words.
// The seed is printed; RELIABILITY_SEED replays the kill schedule.
import assert from 'node:assert/strict';
import test from 'node:test';
import { OPS, runWalletCrashLoop, SHORT_KILLS } from './reliability/walletCrashLoop.js';

const seed = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : Math.floor(Math.random() * 2 ** 31);

test('wallet commands killed with SIGKILL never lose a key or leave an unreadable file', { timeout: 300_000 }, async (t) => {
  const r = await runWalletCrashLoop({ kills: SHORT_KILLS, seed });
  for (const k of r.kills) t.diagnostic(`${k.op} at +${k.delayMs} ms: ${k.exit}${k.problems.length ? ` (${k.problems.join('; ')})` : ''}`);
  t.diagnostic(`seed ${seed}: ${r.kills.length} commands in ${r.durationMs} ms`);
  assert.deepEqual(r.problems, [], `seed ${seed}`);
  assert.equal(r.kills.length, SHORT_KILLS);
  for (const op of OPS) assert.ok(r.kills.some((k) => k.op === op), `${op} was exercised`);
  assert.ok(r.kills.some((k) => k.exit === 'SIGKILL'), 'at least one command died mid-way');
});
