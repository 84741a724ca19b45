// `startnode --no-headersfirst` and `--minimumchainwork HEX` on real node
// processes, seen from a raw wire peer that claims more work than the node has:
// the node's version, what it asks that peer for, and what it does with a
// header chain below the minimum work.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MAX_HEADERS, NODE_HEADERS, type Message } from '../src/p2p/messages.js';
import { EV, eventPattern } from '../src/node/logEvents.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { freePort, NodeProcess, runCli } from './helpers/cliProcess.js';
import { mineHeaders } from './helpers/headerPeers.js';
import { writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';
import { WirePeer } from './reliability/wirePeer.js';

const CHAIN = buildChain(null, 3, testKey(21));
const GENESIS = CHAIN[0]!.hash;
const TIP = CHAIN[2]!.block.header;
const MORE_WORK = { services: NODE_HEADERS, bestHeight: 100_000, work: 1n << 120n };

/** A node process on `CHAIN` with `flags`, and a wire peer that has shaken hands with it. */
async function nodeAndPeer(tag: string, flags: string[]): Promise<{ node: NodeProcess; peer: WirePeer; version: { services?: bigint }; done: () => Promise<void> }> {
  const d = await tempDir(tag);
  await writeChain(d.dir, CHAIN);
  const port = await freePort();
  const node = NodeProcess.start({ role: tag, id: String(port), port, datadir: d.dir, network: 'regtest' }, ['--listen-only', ...flags]);
  let peer: WirePeer | null = null;
  try {
    await node.waitForLog(eventPattern(EV.listening), 30_000);
    peer = await WirePeer.connect(port);
    const version = await peer.handshake(GENESIS, MORE_WORK);
    const p = peer;
    return { node, peer, version, done: async () => { p.close(); await node.stop(); await d.cleanup(); } };
  } catch (err) {
    peer?.close();
    await node.stop();
    await d.cleanup();
    throw err;
  }
}

const isSyncRequest = (m: Message): boolean => m.command === 'getheaders' || m.command === 'getblocks';

test('startnode syncs headers-first by default, and by getblocks without NODE_HEADERS under --no-headersfirst', async () => {
  const on = await nodeAndPeer('hf-on', []);
  try {
    assert.equal((on.version.services ?? 0n) & NODE_HEADERS, NODE_HEADERS, 'the default node offers headers');
    const first = await on.peer.waitFor('a sync request', isSyncRequest, 20_000, 0);
    assert.equal(first.command, 'getheaders');
  } finally {
    await on.done();
  }
  const off = await nodeAndPeer('hf-off', ['--no-headersfirst']);
  try {
    assert.equal((off.version.services ?? 0n) & NODE_HEADERS, 0n, '--no-headersfirst leaves NODE_HEADERS out of the version');
    const first = await off.peer.waitFor('a sync request', isSyncRequest, 20_000, 0);
    assert.equal(first.command, 'getblocks', 'a headers peer is still asked by getblocks');
    await off.peer.ping();
    assert.ok(!off.peer.inbox.some((m) => m.command === 'getheaders'), 'never a getheaders');
  } finally {
    await off.done();
  }
});

test('startnode --minimumchainwork: headers below it are never downloaded, and a peer that sends too many of them is dropped', async () => {
  // 20,001 cheap headers: one past what a node holds for a peer before judging its chain low-work.
  const cheap = mineHeaders(TIP, 20_001);
  const low = await nodeAndPeer('mcw-low', ['--minimumchainwork', `0x${(1n << 200n).toString(16)}`]);
  try {
    await low.peer.waitFor('getheaders', (m) => m.command === 'getheaders', 20_000, 0);
    // As an honest peer would: the next message once the node asks for more.
    for (let i = 0; i < cheap.length && !low.peer.closed; i += MAX_HEADERS) {
      const mark = low.peer.mark();
      low.peer.send({ command: 'headers', headers: cheap.slice(i, i + MAX_HEADERS) });
      if (i + MAX_HEADERS < cheap.length) await low.peer.waitFor('getheaders', (m) => m.command === 'getheaders', 20_000, mark);
    }
    assert.equal(await low.peer.waitClosed(30_000), true, 'the node dropped the peer of a long low-work header chain');
    assert.ok(!low.peer.inbox.some((m) => m.command === 'getdata'), 'no block of a chain below the minimum work was asked for');
  } finally {
    await low.done();
  }
  // The same headers without the flag beat the node's tip: it downloads their blocks.
  const plain = await nodeAndPeer('mcw-none', []);
  try {
    await plain.peer.waitFor('getheaders', (m) => m.command === 'getheaders', 20_000, 0);
    plain.peer.send({ command: 'headers', headers: cheap.slice(0, 10) });
    const ask = await plain.peer.waitFor('getdata', (m) => m.command === 'getdata', 20_000, 0);
    assert.ok(ask.command === 'getdata' && ask.items.length > 0 && ask.items.every((i) => i.kind === 'block'));
  } finally {
    await plain.done();
  }
});

test('startnode refuses a --minimumchainwork that is not hex, in one line', async () => {
  const d = await tempDir('mcw-bad');
  try {
    for (const bad of ['xyz', '0x', '1'.repeat(65), '-5']) {
      const r = await runCli(['startnode', '--datadir', d.dir, '--network', 'regtest', '--port', String(await freePort()), '--listen-only', '--minimumchainwork', bad]);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr.trim(), /^pubchain: invalid --minimumchainwork/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  } finally {
    await d.cleanup();
  }
});
