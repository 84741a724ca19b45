// A stalling peer during sync: it announces the blocks the node lacks, takes
// every request and delivers nothing. The node must drop it once the stall
// timeout (15 s) passes and fetch the same blocks from another peer. Nothing
// else can move the sync forward here: the good peer joins after all blocks
// are already requested from the staller.
import assert from 'node:assert/strict';
import test from 'node:test';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';
import { hexOf, LiveNode, nodeDef, launchNode, startChainNode, storedTip } from './reliability/liveNode.js';
import { StallPeer } from './reliability/stallPeer.js';
import { EV } from '../src/node/logEvents.js';

const CHAIN = buildChain(null, 300, testKey(3));
const HAVE = 50;

test('a peer that stalls the block download is dropped and another peer serves the blocks', { timeout: 120_000 }, async () => {
  const root = await tempDir('stall');
  const staller = await StallPeer.start(CHAIN, HAVE);
  let victim: LiveNode | null = null;
  let source: LiveNode | null = null;
  try {
    const vdef = await nodeDef(root.dir, 'victim');
    await writeChain(vdef.datadir, CHAIN.slice(0, HAVE));
    victim = await launchNode(vdef, ['--listen-only', '--connect', `127.0.0.1:${staller.port}`]);
    const want = CHAIN.length - HAVE;
    for (const end = Date.now() + 20_000; staller.requested < want;) {
      assert.ok(Date.now() < end, `the staller was asked for ${staller.requested} of ${want} blocks`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const mark = victim.log.mark();
    source = await startChainNode(root.dir, 'source', CHAIN, ['--listen-only', '--connect', `127.0.0.1:${vdef.port}`]);
    const stallerId = `127.0.0.1:${staller.port}`;
    await victim.log.waitFor('the staller dropped', (r) => r.event === EV.peerStalled && r.peer === stallerId, mark, 45_000);
    await victim.log.waitFor('height 300', (r) => r.event === EV.newTip && r.height === CHAIN.length, mark, 45_000);
    const after = victim.log.since(mark);
    const stallAt = after.findIndex((r) => r.event === EV.peerStalled);
    const firstNew = after.findIndex((r) => r.event === EV.newTip && (r.height as number) > HAVE);
    assert.ok(stallAt >= 0 && stallAt < firstNew, 'no block arrived before the staller lost its requests');
    assert.deepEqual(victim.log.errors, []);
    assert.deepEqual(await victim.proc.stop(), { code: 0, signal: null });
    assert.deepEqual(await storedTip(vdef), { height: CHAIN.length, hash: hexOf(CHAIN[CHAIN.length - 1]!) });
  } finally {
    await victim?.proc.stop().catch(() => undefined);
    await source?.proc.stop().catch(() => undefined);
    await staller.close();
    await root.cleanup();
  }
});
