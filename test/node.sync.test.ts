// Sync between in-process nodes over real TCP: a node with no chain adopts the
// genesis of its peer and downloads everything; a restarted node resumes from
// its own tip; hostile peers are dropped while a good peer keeps syncing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { serializeBlock } from '../src/core/block.js';
import { REGTEST } from '../src/core/params.js';
import { encodeFrame } from '../src/p2p/frame.js';
import { encodeMessage } from '../src/p2p/messages.js';
import { buildBlock, buildChain, testKey } from './helpers/chainFixtures.js';
import { addressOf, eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { closed, rawSocket } from './helpers/p2pHarness.js';
import { tempDir } from './helpers/tempDir.js';

const key = testKey(1);
const CHAIN = buildChain(null, 2000, key);

test('a new node adopts its peer\'s genesis, syncs 2000 blocks, and a restarted node resumes from its own tip', async () => {
  const a = await tempDir('sync-a');
  const b = await tempDir('sync-b');
  const nodeA = await (async () => { await writeChain(a.dir, CHAIN); return startTestNode(a.dir); })();
  let nodeB = await startTestNode(b.dir, { connect: [addressOf(nodeA)] });
  try {
    await eventually('node B half-way', () => (nodeB.chain.tip?.height ?? 0) >= 1000);
    await nodeB.stop();
    nodeB = await startTestNode(b.dir, { connect: [addressOf(nodeA)] });
    const resumedAt = nodeB.chain.tip!.height;
    assert.ok(resumedAt >= 1000, `restarted node begins at its own tip (${resumedAt}), not at genesis`);
    await eventually('node B at 2000', () => nodeB.chain.tip?.height === 2000, 30_000);
    assert.deepEqual(nodeB.chain.tip!.hash, nodeA.chain.tip!.hash);
    assert.equal(await nodeB.chain.utxoSetHash(), await nodeA.chain.utxoSetHash());
  } finally {
    await nodeB.stop();
    await nodeA.stop();
    await a.cleanup();
    await b.cleanup();
  }
});

test('garbage frames, a block without proof of work and an inv flood each get their peer dropped while a good peer syncs', async () => {
  const a = await tempDir('hostile-a');
  const b = await tempDir('hostile-b');
  await writeChain(b.dir, CHAIN.slice(0, 300));
  const server = await startTestNode(b.dir);
  // Bans are short here: every test peer shares 127.0.0.1. Each hostile peer connects only
  // after the previous one's ban has run out, or the node would refuse it at accept.
  const BAN_MS = 20;
  const banOver = (): Promise<void> => new Promise((r) => setTimeout(r, BAN_MS * 3));
  const nodeA = await startTestNode(a.dir, { connect: [addressOf(server)], banMs: BAN_MS });
  const port = nodeA.network.port;
  const version = (nonce: number): Uint8Array => encodeFrame(REGTEST.magic, 'version', encodeMessage({
    command: 'version', version: { protocol: 1, userAgent: '/evil/', bestHeight: 999, work: 1n << 200n, genesis: CHAIN[0]!.hash, listenPort: 0, nonce: BigInt(nonce), timestamp: 0n },
  }));
  const verack = encodeFrame(REGTEST.magic, 'verack', new Uint8Array(0));
  const bans: string[] = [];
  const closes: string[] = [];
  nodeA.network.manager.on('close', (_p, reason) => { closes.push(reason); if (reason.startsWith('misbehaving')) bans.push(reason); });
  try {
    const garbage = await rawSocket(port);
    garbage.write(Buffer.alloc(64, 0x41));
    await closed(garbage);

    // The tutorial's node took "a block at height 999" with no proof of work as its tip.
    const fake = buildBlock({ parent: CHAIN[5]!, key, coinbaseHeight: 999 }).block;
    fake.header.bits = 0x1d00ffff;
    const s = await rawSocket(port);
    s.write(version(1));
    s.write(verack);
    const blockFrame = encodeFrame(REGTEST.magic, 'block', encodeMessage({ command: 'block', block: serializeBlock(fake) }));
    s.write(blockFrame);
    s.write(blockFrame);
    await closed(s);
    await banOver();

    const flood = await rawSocket(port);
    flood.write(version(2));
    flood.write(verack);
    const items = Array.from({ length: 50_000 }, (_, i) => ({ kind: 'block' as const, hash: Uint8Array.from(Buffer.alloc(32, i % 251)) }));
    const invFrame = encodeFrame(REGTEST.magic, 'inv', encodeMessage({ command: 'inv', items }));
    for (let i = 0; i < 5; i++) flood.write(invFrame);
    await closed(flood, 15_000);
    await banOver();

    assert.equal(bans.length, 2, `the block and flood peers were banned; peers closed: ${closes.join('; ')}`);
    await eventually('node A synced from the good peer', () => nodeA.chain.tip?.height === 300, 30_000);
    assert.deepEqual(nodeA.chain.tip!.hash, server.chain.tip!.hash);
  } finally {
    await nodeA.stop();
    await server.stop();
    await a.cleanup();
    await b.cleanup();
  }
});
