// Short form of the wire fuzzer (test/reliability/wireFuzz.ts): about 3,000
// hostile frames over a few hundred raw connections to a live node process.
// The seed is printed; RELIABILITY_SEED replays a run.
import test from 'node:test';
import assert from 'node:assert/strict';
import { problems, runWireFuzz, SHORT_FRAMES } from './reliability/wireFuzz.js';

const seed = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : Math.floor(Math.random() * 2 ** 31);

test('a node process survives ~3,000 hostile frames, keeps answering a good peer and keeps its chain', { timeout: 120_000 }, async (t) => {
  const r = await runWireFuzz({ frames: SHORT_FRAMES, seed });
  t.diagnostic(`seed ${seed}: ${r.framesSent} frames in ${r.sessions} sessions (${r.sessionsWithHandshake} after a handshake), `
    + `${r.droppedByNode} dropped by the node, ${r.refused} refused at accept; good peer: ${r.goodPeer.pings} pings, max ${r.goodPeer.maxPingMs.toFixed(0)} ms; `
    + `peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MB; ${r.durationMs} ms`);
  assert.deepEqual(problems(r), [], `seed ${seed}`);
  assert.ok(r.framesSent >= SHORT_FRAMES);
  // The fuzz reached the node: hostile peers were dropped, and some of them only after a handshake.
  assert.ok(r.droppedByNode > 0 && r.sessionsWithHandshake > 0, JSON.stringify(r));
  assert.ok(r.goodPeer.pings >= 2 && r.goodPeer.sameConnection);
  assert.equal(r.tipAfter.height, 200);
});
