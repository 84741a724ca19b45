// Stalls a peer could cause in the parallel download (src/node/headerSync.ts,
// headerSyncDownload.ts), between real nodes over TCP: blocks of a side branch
// pushed unasked must not fill the window's byte bound, and a window full of
// blocks waiting behind a withheld one must still ask for the hole.
import test from 'node:test';
import assert from 'node:assert/strict';
import { serializeBlock } from '../src/core/block.js';
import { REGTEST } from '../src/core/params.js';
import { NODE_HEADERS } from '../src/p2p/messages.js';
import type { Peer } from '../src/p2p/peer.js';
import { PeerManager } from '../src/p2p/peerManager.js';
import type { PubchainNode } from '../src/node/node.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { stallingPeer } from './helpers/headerPeers.js';
import { eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';

const CHAIN = buildChain(null, 600, testKey(61));
const HEADERS = CHAIN.map((b) => b.block.header);
/** A branch off the genesis: more work than a fresh node's tip, less than CHAIN's, so its headers are stored but never downloaded. */
const SIDE = buildChain(CHAIN[0]!, 120, testKey(62), 9);
const WORK = 1n << 100n;
/** Far less than the side branch's blocks (about 250 bytes each): the bound the attack tries to fill. */
const BUFFER = 4096;

test('blocks of a side branch pushed unasked are ignored: they cannot fill the download window and stall the sync', async () => {
  const dirs = await Promise.all(['ds-good', 'ds-fresh'].map((n) => tempDir(n)));
  // Learns the header chain from a peer that withholds every block, so nothing is downloaded before the attack.
  const staller = await stallingPeer(HEADERS, WORK);
  const attacker = new PeerManager({
    params: REGTEST,
    localVersion: () => ({ protocol: 1, userAgent: '/pusher/', bestHeight: SIDE.length + 1, work: 1n, genesis: CHAIN[0]!.hash, listenPort: 0, services: NODE_HEADERS }),
    checkVersion: () => null,
  });
  let victim: Peer | null = null;
  attacker.on('ready', (peer) => { victim = peer; peer.send({ command: 'headers', headers: SIDE.map((b) => b.block.header) }); });
  const attackerPort = await attacker.listen('127.0.0.1', 0);
  let good: PubchainNode | null = null;
  let fresh: PubchainNode | null = null;
  try {
    await writeChain(dirs[0]!.dir, CHAIN);
    good = await startTestNode(dirs[0]!.dir);
    await writeChain(dirs[1]!.dir, CHAIN.slice(0, 1));
    fresh = await startTestNode(dirs[1]!.dir, { connect: [`127.0.0.1:${staller.port}`], stallMs: 120_000, sync: { window: { blockStallMs: 300, maxBufferBytes: BUFFER } } });
    const node = fresh;
    let pushed = 0;
    node.network.manager.on('message', (_p, m) => { if (m.command === 'block') pushed++; });
    await eventually('the header chain is stored', () => node.protocol.sync.headerSync.headers.size === CHAIN.length - 1);
    node.network.manager.connect('127.0.0.1', attackerPort);
    await eventually('the side branch\'s headers are stored', () => node.protocol.sync.headerSync.headers.size === CHAIN.length - 1 + SIDE.length);
    // Pushed once their headers are stored: blocks of headers we hold are the download's to take or leave.
    for (const b of SIDE) victim!.send({ command: 'block', block: serializeBlock(b.block) });
    await eventually('every pushed block arrived', () => pushed === SIDE.length);
    assert.equal(node.protocol.sync.headerSync.bestHeaderHeight, CHAIN.length, 'the side branch is not the best header chain');
    node.network.manager.connect('127.0.0.1', good.network.port);
    await eventually('the node synced from the good peer', () => node.chain.tip?.height === CHAIN.length, 30_000);
    assert.deepEqual(node.chain.tip!.hash, CHAIN[CHAIN.length - 1]!.hash);
    for (const b of SIDE.slice(0, 3)) assert.equal(await node.chain.hasBlock(b.hash), false, 'an unasked side block is not stored');
  } finally {
    await fresh?.stop();
    await good?.stop();
    await attacker.close();
    await staller.close();
    for (const d of dirs) await d.cleanup();
  }
});

test('a window full of blocks waiting behind withheld ones still asks another peer for the holes', async () => {
  const dirs = await Promise.all(['ds-good2', 'ds-fresh2'].map((n) => tempDir(n)));
  const staller = await stallingPeer(HEADERS, WORK);
  let good: PubchainNode | null = null;
  let fresh: PubchainNode | null = null;
  try {
    await writeChain(dirs[0]!.dir, CHAIN);
    good = await startTestNode(dirs[0]!.dir);
    await writeChain(dirs[1]!.dir, CHAIN.slice(0, 1));
    // The staller holds the first blocks' requests; the good peer then fills the byte bound with the blocks after them.
    fresh = await startTestNode(dirs[1]!.dir, { connect: [`127.0.0.1:${staller.port}`], stallMs: 120_000, sync: { window: { blockStallMs: 300, maxBufferBytes: BUFFER } } });
    const node = fresh;
    await eventually('the staller was asked for blocks', () => staller.asked.length > 0);
    node.network.manager.connect('127.0.0.1', good.network.port);
    await eventually('the node synced from the good peer', () => node.chain.tip?.height === CHAIN.length, 30_000);
    assert.deepEqual(node.chain.tip!.hash, CHAIN[CHAIN.length - 1]!.hash);
  } finally {
    await fresh?.stop();
    await good?.stop();
    await staller.close();
    for (const d of dirs) await d.cleanup();
  }
});
