// The node's rule for its address index (src/node/addressIndexSync.ts), end to
// end: a node that syncs a chain far ahead of it defers the index, builds it
// from the coins once it has caught up, and ends with an index equal to what
// the coins imply and balances equal to its peer's; a fresh node defers for a
// chain shorter than the gap (more blocks to come than it has); one close to
// its peer's tip never defers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PubchainNode } from '../src/node/node.js';
import { buildChain, testKey, type Built } from './helpers/chainFixtures.js';
import { MIN_DEFER, shouldDefer } from '../src/node/addressIndexSync.js';
import { addressOf, eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';

const miner = testKey(7);
const FAST = { addressIndexCheckMs: 5, addressIndexGraceMs: 0 };

describe('the address index during initial sync', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let source: PubchainNode;
  const nodes: PubchainNode[] = [];
  let chain: Built[];

  before(async () => {
    dir = await tempDir('addrindex-sync');
    chain = buildChain(null, 1500, miner);
    await writeChain(`${dir.dir}/source`, chain);
    source = await startTestNode(`${dir.dir}/source`);
  });
  after(async () => {
    for (const n of nodes) await n.stop();
    await source?.stop();
    await dir.cleanup();
  });

  it('defers it while far behind, builds it once caught up, and ends with the index the coins imply', async () => {
    const node = await startTestNode(`${dir.dir}/far`, { connect: [addressOf(source)], addressIndexDeferGap: 200, ...FAST });
    nodes.push(node);
    const seen = new Set<string>();
    const watch = setInterval(() => seen.add(node.chain.addressIndexState), 1);
    try {
      await eventually('the node to reach the source\'s tip with its index current',
        () => node.chain.tip?.height === source.chain.tip?.height && node.chain.addressIndexState === 'current', 60_000);
    } finally {
      clearInterval(watch);
    }
    assert.ok(seen.has('deferred'), `the index was deferred during the sync (states seen: ${[...seen].join(', ')})`);
    const check = await node.chain.checkAddressIndex();
    assert.ok(check.equal && check.state === 'current' && check.coins > 0, `the index equals what the coins imply: ${JSON.stringify(check)}`);
    assert.equal(await node.chain.balanceOf(miner.pkh), await source.chain.balanceOf(miner.pkh));
  });

  it('defers it on a fresh node even when the chain is shorter than the gap', async () => {
    const node = await startTestNode(`${dir.dir}/fresh`, { connect: [addressOf(source)], addressIndexDeferGap: 5000, ...FAST });
    nodes.push(node);
    const seen = new Set<string>();
    const watch = setInterval(() => seen.add(node.chain.addressIndexState), 1);
    try {
      await eventually('the node to reach the source\'s tip with its index current',
        () => node.chain.tip?.height === source.chain.tip?.height && node.chain.addressIndexState === 'current', 60_000);
    } finally {
      clearInterval(watch);
    }
    assert.ok(seen.has('deferred'), `the index was deferred during the sync (states seen: ${[...seen].join(', ')})`);
    const check = await node.chain.checkAddressIndex();
    assert.ok(check.equal && check.state === 'current', `the index equals what the coins imply: ${JSON.stringify(check)}`);
    assert.equal(await node.chain.balanceOf(miner.pkh), await source.chain.balanceOf(miner.pkh));
  });

  it('never defers it when the peer is closer than the gap and than the blocks it has', async () => {
    // The node holds all but the last MIN_DEFER blocks: behind by MIN_DEFER, far fewer than its height.
    await writeChain(`${dir.dir}/near`, chain.slice(0, chain.length - MIN_DEFER));
    const node = await startTestNode(`${dir.dir}/near`, { connect: [addressOf(source)], addressIndexDeferGap: 5000, ...FAST });
    nodes.push(node);
    const seen = new Set<string>();
    const watch = setInterval(() => seen.add(node.chain.addressIndexState), 1);
    try {
      await eventually('the node to reach the source\'s tip', () => node.chain.tip?.height === source.chain.tip?.height, 60_000);
    } finally {
      clearInterval(watch);
    }
    assert.deepEqual([...seen], ['current']);
  });
});

describe('shouldDefer', () => {
  it('defers at the gap, or from MIN_DEFER blocks when more are to come than the node has, and never with gap 0', () => {
    assert.equal(shouldDefer(1000, 50_000, 1000), true);
    assert.equal(shouldDefer(999, 50_000, 1000), false);
    assert.equal(shouldDefer(300, 1, 1000), true);
    assert.equal(shouldDefer(300, 299, 1000), true);
    assert.equal(shouldDefer(300, 300, 1000), false);
    assert.equal(shouldDefer(MIN_DEFER - 1, 1, 1000), false);
    assert.equal(shouldDefer(50, 1, 40), true);
    assert.equal(shouldDefer(1_000_000, 1, 0), false);
  });
});
