// A node with no chain asks its first peer for the genesis block. A peer that
// never delivers it (or leaves) must not strand the node: the request goes to
// another peer after the stall time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';
import { StallPeer } from './reliability/stallPeer.js';

test('a genesis request the first peer ignores is sent to the next peer', async () => {
  const chain = buildChain(null, 30, testKey(21));
  const a = await tempDir('genesis-good');
  const b = await tempDir('genesis-fresh');
  await writeChain(a.dir, chain);
  const good = await startTestNode(a.dir);
  const staller = await StallPeer.start(chain, 1);
  // The staller comes first: the fresh node asks it for the genesis block and gets nothing.
  const fresh = await startTestNode(b.dir, { connect: [`127.0.0.1:${staller.port}`], stallMs: 1500 });
  try {
    await eventually('the genesis request to the staller', () => staller.requested > 0, 10_000);
    fresh.network.manager.connect('127.0.0.1', good.network.port);
    await eventually('the chain from the good peer', () => fresh.chain.tip?.height === 30, 30_000);
    assert.deepEqual(fresh.chain.genesisHash, chain[0]!.hash);
  } finally {
    await fresh.stop();
    await staller.close();
    await good.stop();
    await a.cleanup();
    await b.cleanup();
  }
});
