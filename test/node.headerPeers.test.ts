// Headers from one peer, blocks from all (src/node/headerPeers.ts): a node
// syncing from three peers takes the header chain from one of them and only
// probes the others for how far they reach, yet downloads blocks from all
// three; a headers peer that never answers loses the role to another peer, and
// so does one that answers, but too slowly, once another has announced more work.
import test from 'node:test';
import assert from 'node:assert/strict';
import { headerHash } from '../src/core/header.js';
import { REGTEST } from '../src/core/params.js';
import { NODE_HEADERS } from '../src/p2p/messages.js';
import { PeerManager } from '../src/p2p/peerManager.js';
import type { PubchainNode } from '../src/node/node.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { mineHeaders, stallingPeer } from './helpers/headerPeers.js';
import { eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';

const CHAIN = buildChain(null, 1500, testKey(41));

/** Headers `node` received, per peer. */
function headersPerPeer(node: PubchainNode): Map<string, number> {
  const headers = new Map<string, number>();
  node.network.manager.on('message', (p, m) => { if (m.command === 'headers') headers.set(p.id, (headers.get(p.id) ?? 0) + m.headers.length); });
  return headers;
}

test('three peers: the header chain comes from one of them, the other two send a few headers each, and all three serve blocks', async () => {
  const dirs = await Promise.all(['hp-a', 'hp-b', 'hp-c', 'hp-fresh'].map((n) => tempDir(n)));
  const sources: PubchainNode[] = [];
  let fresh: PubchainNode | null = null;
  try {
    for (const d of dirs.slice(0, 3)) { await writeChain(d.dir, CHAIN); sources.push(await startTestNode(d.dir)); }
    const served = sources.map(() => 0);
    sources.forEach((s, i) => s.network.manager.on('message', (_p, m) => { if (m.command === 'getdata') served[i]! += m.items.length; }));
    await writeChain(dirs[3]!.dir, CHAIN.slice(0, 1));
    fresh = await startTestNode(dirs[3]!.dir);
    const headers = headersPerPeer(fresh);
    for (const s of sources) fresh.network.manager.connect('127.0.0.1', s.network.port);
    const heights: number[] = [];
    fresh.chain.on('connect', (_b, h) => heights.push(h));
    await eventually('the fresh node synced', () => fresh!.chain.tip?.height === CHAIN.length, 60_000);
    assert.deepEqual(heights, Array.from({ length: CHAIN.length - 1 }, (_, i) => i + 2), 'connected in height order');
    const counts = [...headers.values()].sort((x, y) => y - x);
    assert.ok(counts[0]! >= CHAIN.length - 1, `one peer sent the header chain (${counts.join(', ')})`);
    const others = counts.slice(1).reduce((s, n) => s + n, 0);
    assert.ok(others < 50, `the other peers sent only probe answers (${counts.join(', ')})`);
    assert.ok(served.every((n) => n > 0), `every peer served blocks (${served.join(', ')})`);
  } finally {
    await fresh?.stop();
    for (const s of sources) await s.stop();
    for (const d of dirs) await d.cleanup();
  }
});

test('a headers peer that never answers getheaders loses the role: another peer sends the headers and the node syncs', async () => {
  const dirs = await Promise.all(['hp-good', 'hp-fresh2'].map((n) => tempDir(n)));
  // Says it has a heavier chain and does headers, then answers nothing.
  const silent = new PeerManager({
    params: REGTEST,
    localVersion: () => ({ protocol: 1, userAgent: '/silent/', bestHeight: 5000, work: 1n << 100n, genesis: headerHash(CHAIN[0]!.block.header), listenPort: 0, services: NODE_HEADERS }),
    checkVersion: () => null,
  });
  let asked = 0;
  silent.on('message', (_p, m) => { if (m.command === 'getheaders') asked++; });
  const silentPort = await silent.listen('127.0.0.1', 0);
  let good: PubchainNode | null = null;
  let fresh: PubchainNode | null = null;
  try {
    await writeChain(dirs[0]!.dir, CHAIN);
    good = await startTestNode(dirs[0]!.dir);
    await writeChain(dirs[1]!.dir, CHAIN.slice(0, 1));
    fresh = await startTestNode(dirs[1]!.dir, { connect: [`127.0.0.1:${silentPort}`], sync: { window: { blockStallMs: 200 } } });
    await eventually('the silent peer was asked for headers', () => asked > 0);
    fresh.network.manager.connect('127.0.0.1', good.network.port);
    await eventually('the fresh node synced from the good peer', () => fresh!.chain.tip?.height === CHAIN.length, 60_000);
    assert.equal(asked, 1, 'the silent peer was asked once, not again and again');
  } finally {
    await fresh?.stop();
    await good?.stop();
    await silent.close();
    for (const d of dirs) await d.cleanup();
  }
});

test('a headers peer that answers every time, but slowly, loses the role to a peer that announced more work', async () => {
  const dir = await tempDir('hp-slow');
  const genesis = CHAIN[0]!.block.header;
  const long = [genesis, ...mineHeaders(genesis, 12_000)];
  // blockStallMs 1200 puts the headers peer's silence limit at 3 s. The slow peer answers each
  // getheaders after 2.5 s: never silent that long, yet 800 headers a second, under the minimum rate.
  const slow = await stallingPeer(long, 1n << 100n, 2500);
  const quick = await stallingPeer(long, 1n << 100n);
  let slowAsked = 0;
  slow.manager.on('message', (_p, m) => { if (m.command === 'getheaders') slowAsked++; });
  let fresh: PubchainNode | null = null;
  try {
    await writeChain(dir.dir, CHAIN.slice(0, 1));
    fresh = await startTestNode(dir.dir, { connect: [`127.0.0.1:${slow.port}`], stallMs: 120_000, sync: { window: { blockStallMs: 1200 } } });
    const node = fresh;
    const headers = headersPerPeer(node);
    await eventually('the slow peer was asked for headers', () => slowAsked > 0);
    node.network.manager.connect('127.0.0.1', quick.port);
    await eventually('every header is stored', () => node.protocol.sync.headerSync.headers.size === long.length - 1, 60_000);
    const fromSlow = headers.get(`127.0.0.1:${slow.port}`) ?? 0;
    const fromQuick = headers.get(`127.0.0.1:${quick.port}`) ?? 0;
    assert.ok(fromQuick >= (long.length - 1) / 2, `the quick peer sent most of the header chain (slow ${fromSlow}, quick ${fromQuick})`);
    assert.ok(fromSlow < long.length - 1, `the slow peer did not send it all (slow ${fromSlow}, quick ${fromQuick})`);
  } finally {
    await fresh?.stop();
    await quick.close();
    await slow.close();
    await dir.cleanup();
  }
});
