// Headers-first sync between in-process nodes over real TCP: parallel download
// from three peers while one of them stalls, blocks connected in order, headers
// kept on disk across a restart, hostile header chains penalised with memory
// bounded, and an older peer (no NODE_HEADERS) still syncing by getblocks.
import test from 'node:test';
import assert from 'node:assert/strict';
import { bytesKey } from '../src/core/bytes.js';
import { REGTEST } from '../src/core/params.js';
import { encodeFrame } from '../src/p2p/frame.js';
import { encodeMessage, NODE_HEADERS, type Message } from '../src/p2p/messages.js';
import type { PubchainNode } from '../src/node/node.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { mineHeaders, stallingPeer } from './helpers/headerPeers.js';
import { addressOf, eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { closed, rawSocket } from './helpers/p2pHarness.js';
import { tempDir } from './helpers/tempDir.js';

const CHAIN = buildChain(null, 1200, testKey(3));
const HEADERS = CHAIN.map((b) => b.block.header);
const WORK = 1n << 100n;

function commandsSeen(node: PubchainNode): Map<string, Message[]> {
  const seen = new Map<string, Message[]>();
  node.network.manager.on('message', (_p, m) => { seen.set(m.command, [...(seen.get(m.command) ?? []), m]); });
  return seen;
}

test('headers-first: three peers, one stalls; its blocks go to the other two and every block connects in order', async () => {
  const dirs = await Promise.all(['hf-a', 'hf-b', 'hf-c'].map((n) => tempDir(n)));
  const [a, b, c] = dirs as [Awaited<ReturnType<typeof tempDir>>, Awaited<ReturnType<typeof tempDir>>, Awaited<ReturnType<typeof tempDir>>];
  await writeChain(a.dir, CHAIN);
  await writeChain(b.dir, CHAIN);
  await writeChain(c.dir, CHAIN.slice(0, 1));
  const staller = await stallingPeer(HEADERS, WORK);
  const nodeA = await startTestNode(a.dir);
  const nodeB = await startTestNode(b.dir);
  const seenA = commandsSeen(nodeA);
  const seenB = commandsSeen(nodeB);
  const nodeC = await startTestNode(c.dir, { connect: [`127.0.0.1:${staller.port}`], stallMs: 120_000, sync: { window: { blockStallMs: 300 } } });
  const heights: number[] = [];
  nodeC.chain.on('connect', (_b, h) => heights.push(h));
  try {
    // Only the staller is there: it learns the headers from it and asks it for blocks.
    await eventually('the staller asked for blocks', () => staller.asked.length > 0);
    // Blocks are asked for once the first slice of the message is stored; the rest follows while they download.
    await eventually('every header is stored', () => nodeC.protocol.sync.headerSync.headers.size === 1199);
    assert.equal(nodeC.chain.tip!.height, 1);
    const stalled = new Set(staller.asked.map((i) => bytesKey(i.hash)));
    nodeC.network.manager.connect('127.0.0.1', nodeA.network.port);
    nodeC.network.manager.connect('127.0.0.1', nodeB.network.port);
    await eventually('node C synced', () => nodeC.chain.tip?.height === 1200, 60_000);
    assert.deepEqual(nodeC.chain.tip!.hash, CHAIN[1199]!.hash);
    assert.deepEqual(heights, Array.from({ length: 1199 }, (_, i) => i + 2), 'blocks connected one by one, in height order');
    const askedOf = (seen: Map<string, Message[]>): Set<string> => new Set((seen.get('getdata') ?? []).flatMap((m) => (m as { items: { hash: Uint8Array }[] }).items.map((i) => bytesKey(i.hash))));
    const fromA = askedOf(seenA);
    const fromB = askedOf(seenB);
    assert.ok(fromA.size > 0 && fromB.size > 0, `both good peers served blocks (${fromA.size}, ${fromB.size})`);
    for (const k of stalled) assert.ok(fromA.has(k) || fromB.has(k), 'a block the staller withheld was asked of another peer');
    assert.ok((seenA.get('getheaders')?.length ?? 0) > 0 && (seenB.get('getheaders')?.length ?? 0) > 0, 'headers were asked of both');
    assert.equal(seenA.get('getblocks'), undefined, 'no getblocks to a peer that does headers');
    // The last blocks' batches are written behind the tip: their header-only entries go once those are durable.
    await eventually('header-only entries are gone once their blocks connected', () => nodeC.protocol.sync.headerSync.headers.size === 0, 10_000);
  } finally {
    await nodeC.stop();
    await staller.close();
    await nodeA.stop();
    await nodeB.stop();
    for (const d of dirs) await d.cleanup();
  }
});

test('stored headers survive a restart and count as the best header, not as blocks', async () => {
  const c = await tempDir('hf-restart');
  await writeChain(c.dir, CHAIN.slice(0, 1));
  const staller = await stallingPeer(HEADERS.slice(0, 300), WORK);
  let node = await startTestNode(c.dir, { connect: [`127.0.0.1:${staller.port}`] });
  try {
    await eventually('headers stored', () => node.protocol.sync.headerSync.headers.size === 299);
    await node.stop();
    node = await startTestNode(c.dir);
    await eventually('headers loaded', () => node.protocol.sync.headerSync.bestHeaderHeight === 300);
    assert.equal(node.protocol.sync.headerSync.headers.size, 299);
    assert.equal(node.chain.tip!.height, 1);
    assert.equal(node.protocol.sync.pending, 299, 'the blocks still to fetch are counted as pending');
  } finally {
    await node.stop();
    await staller.close();
    await c.cleanup();
  }
});

const version = (nonce: number, height: number): Uint8Array => encodeFrame(REGTEST.magic, 'version', encodeMessage({
  command: 'version', version: { protocol: 1, userAgent: '/evil/', bestHeight: height, work: WORK, genesis: CHAIN[0]!.hash, listenPort: 0, nonce: BigInt(nonce), timestamp: 0n, services: NODE_HEADERS },
}));
const verack = encodeFrame(REGTEST.magic, 'verack', new Uint8Array(0));
const headersFrame = (headers: typeof HEADERS): Uint8Array => encodeFrame(REGTEST.magic, 'headers', encodeMessage({ command: 'headers', headers }));

test('headers with bad proof of work, bad bits or a time too old get their peer banned, and nothing is stored', async () => {
  const c = await tempDir('hf-bad');
  await writeChain(c.dir, CHAIN.slice(0, 1));
  const BAN_MS = 20;
  const node = await startTestNode(c.dir, { banMs: BAN_MS });
  const bans: string[] = [];
  node.network.manager.on('close', (_p, reason) => { if (reason.startsWith('misbehaving')) bans.push(reason); });
  const genesis = HEADERS[0]!;
  const noPow = { ...mineHeaders(genesis, 1)[0]!, bits: 0x1d00ffff }; // a target its hash does not meet
  const badBits = mineHeaders(genesis, 1, 0x2000ffff); // real work, but not the bits the chain expects
  const tooOld = mineHeaders(genesis, 1, REGTEST.genesisBits, 0); // not after the median time past
  try {
    let n = 10;
    for (const [what, headers] of [['no proof of work', [noPow]], ['bad bits', badBits], ['time too old', tooOld]] as const) {
      const s = await rawSocket(node.network.port);
      s.write(version(n++, 10));
      s.write(verack);
      await eventually('the handshake', () => node.network.peers().length === 1);
      // Twice: a header without proof of work costs 50, as a block without it does.
      s.write(headersFrame([...headers]));
      s.write(headersFrame([...headers]));
      await closed(s, 10_000).catch(() => assert.fail(`peer sending headers with ${what} was not dropped`));
      await new Promise((r) => setTimeout(r, BAN_MS * 3));
    }
    assert.equal(bans.length, 3, bans.join('; '));
    assert.equal(node.protocol.sync.headerSync.headers.size, 0);
    assert.equal(node.protocol.sync.headerSync.headers.heldCount, 0);
  } finally {
    await node.stop();
    await c.cleanup();
  }
});

test('a long low-work header chain is held only up to the per-peer bound, never stored, and its peer is banned', async () => {
  const c = await tempDir('hf-lowwork');
  await writeChain(c.dir, CHAIN.slice(0, 1));
  const node = await startTestNode(c.dir, { sync: { minimumChainWork: 1n << 200n, maxHeldHeadersPerPeer: 3000 } });
  const cheap = mineHeaders(HEADERS[0]!, 30_000);
  let maxHeld = 0;
  const timer = setInterval(() => { maxHeld = Math.max(maxHeld, node.protocol.sync.headerSync.headers.heldCount); }, 1);
  try {
    const s = await rawSocket(node.network.port);
    s.write(version(1, 30_001));
    s.write(verack);
    await eventually('the handshake', () => node.network.peers().length === 1);
    for (let i = 0; i < cheap.length && !s.destroyed; i += 2000) s.write(headersFrame(cheap.slice(i, i + 2000)));
    await closed(s, 20_000);
    await node.network.idle();
    maxHeld = Math.max(maxHeld, node.protocol.sync.headerSync.headers.heldCount);
    assert.ok(maxHeld <= 3000 + 2000, `held at most the bound and one message (${maxHeld})`);
    assert.equal(node.protocol.sync.headerSync.headers.size, 0, 'no low-work header was stored');
    assert.equal(node.protocol.sync.headerSync.headers.heldCount, 0, 'a gone peer\'s held headers are dropped');
  } finally {
    clearInterval(timer);
    await node.stop();
    await c.cleanup();
  }
});

test('an older peer without NODE_HEADERS syncs by getblocks both ways', async () => {
  const dirs = await Promise.all(['hf-old', 'hf-new', 'hf-old2'].map((n) => tempDir(n)));
  const [o, n, o2] = dirs as [Awaited<ReturnType<typeof tempDir>>, Awaited<ReturnType<typeof tempDir>>, Awaited<ReturnType<typeof tempDir>>];
  await writeChain(o.dir, CHAIN.slice(0, 400));
  const old = await startTestNode(o.dir, { sync: { headersFirst: false } });
  const seenOld = commandsSeen(old);
  const fresh = await startTestNode(n.dir, { connect: [addressOf(old)] });
  let old2: PubchainNode | null = null;
  try {
    await eventually('the new node synced from the old one', () => fresh.chain.tip?.height === 400, 30_000);
    assert.equal(seenOld.get('getheaders'), undefined, 'no getheaders to a peer that does not offer headers');
    assert.ok((seenOld.get('getblocks')?.length ?? 0) > 0);
    old2 = await startTestNode(o2.dir, { connect: [addressOf(fresh)], sync: { headersFirst: false } });
    await eventually('an old node synced from the new one', () => old2!.chain.tip?.height === 400, 30_000);
    assert.deepEqual(old2.chain.tip!.hash, CHAIN[399]!.hash);
  } finally {
    await old2?.stop();
    await fresh.stop();
    await old.stop();
    for (const d of dirs) await d.cleanup();
  }
});
