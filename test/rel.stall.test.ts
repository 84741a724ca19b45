// A stalling peer during sync: an older peer (no headers-first) that announces
// the blocks the node lacks, takes every request and delivers nothing. The good
// peer joins after all blocks are already requested from the staller; it offers
// headers, so the node learns the header chain from it and fetches the same
// blocks from it at once, without waiting out the staller's 15 s stall timeout.
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

test('a peer that stalls the block download loses its blocks to another peer', { timeout: 120_000 }, async () => {
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
    await victim.log.waitFor('height 300', (r) => r.event === EV.newTip && r.height === CHAIN.length, mark, 45_000);
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
