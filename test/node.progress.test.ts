// Progress an operator can see off a terminal: periodic "sync progress" lines
// (height, best known height, blocks/s, time left) while a node catches up,
// and "miner hash rate" lines while it mines. Intervals are shortened here.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../src/node/logger.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { addressOf, eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';
import { EV } from '../src/node/logEvents.js';

function capture(): { log: ReturnType<typeof createLogger>; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const stream = new PassThrough();
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      records.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  return { log: createLogger({ level: 'info', destination: stream }), records };
}

test('a syncing node logs its progress; a mining node logs its hash rate', async () => {
  const a = await tempDir('progress-a');
  const b = await tempDir('progress-b');
  await writeChain(a.dir, buildChain(null, 3000, testKey(9)));
  const source = await startTestNode(a.dir);
  const { log, records } = capture();
  const fresh = await startTestNode(b.dir, {
    connect: [addressOf(source)], log, progressIntervals: { tickMs: 10, syncLogMs: 20, minerLogMs: 50 },
    minerPubKeyHash: testKey(9).pkh, mineAlways: true,
  });
  try {
    await eventually('synced', () => fresh.chain.tip?.height !== undefined && fresh.chain.tip.height >= 3000, 60_000);
    const sync = records.filter((r) => r.event === EV.syncProgress);
    assert.ok(sync.length > 0, 'at least one progress line while syncing');
    for (const r of sync) {
      assert.equal(r.module, 'sync');
      assert.ok((r.height as number) < (r.best as number), 'a progress line is written only while behind');
      assert.equal(r.best, 3000);
      assert.equal(typeof r.blocksPerSec, 'number');
    }
    // The same node mines on top once synced (--mine-always): its hash rate shows up.
    await eventually('a hash-rate line with a rate', () => records.some((r) => r.event === EV.minerHashRate && (r.hashRate as number) > 0), 30_000);
    const rate = records.find((r) => r.event === EV.minerHashRate && (r.hashRate as number) > 0)!;
    assert.equal(rate.module, 'miner');
    assert.ok((rate.blocksFound as number) >= 1);
  } finally {
    await fresh.stop();
    await source.stop();
    await a.cleanup();
    await b.cleanup();
  }
});
