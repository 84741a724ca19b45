// An orphan waits for its parent, whatever the parent turns out to be. After a
// partition heals, a node on the shorter branch hears of the longer branch's tip
// first (an orphan), then fetches the blocks between: those arrive as side-chain
// blocks with no more work than its own tip. The orphan must be tried once its
// parent is stored, not only once a parent connects, or the node stays on the
// shorter branch forever (seen in the simnet's partition-and-heal scenario).
import assert from 'node:assert/strict';
import test from 'node:test';
import { serializeBlock } from '../src/core/block.js';
import { bytesEqual } from '../src/core/bytes.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { eventually } from './helpers/eventually.js';
import { startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';
import { WirePeer } from './reliability/wirePeer.js';

const BASE = buildChain(null, 10, testKey(51));
const OURS = buildChain(BASE[BASE.length - 1]!, 2, testKey(52));
const THEIRS = buildChain(BASE[BASE.length - 1]!, 3, testKey(53));

test('an orphan whose parent arrives as a side-chain block is connected, and the longer branch wins', { timeout: 60_000 }, async () => {
  const root = await tempDir('orphan-side');
  await writeChain(root.dir, [...BASE, ...OURS]);
  const node = await startTestNode(root.dir);
  let peer: WirePeer | null = null;
  try {
    assert.ok(bytesEqual(node.chain.tip!.hash, OURS[1]!.hash));
    peer = await WirePeer.connect(node.network.port);
    await peer.handshake(BASE[0]!.hash);
    // The longer branch's tip first: its parent is unknown, so it is an orphan.
    peer.send({ command: 'block', block: serializeBlock(THEIRS[2]!.block) });
    await eventually('the node asks for the blocks before the orphan', () => peer!.inbox.some((m) => m.command === 'getblocks'), 10_000);
    // Then the two blocks between: each is a side block, no more work than our tip.
    peer.send({ command: 'block', block: serializeBlock(THEIRS[0]!.block) });
    peer.send({ command: 'block', block: serializeBlock(THEIRS[1]!.block) });
    await eventually('the node moves to the longer branch', () => bytesEqual(node.chain.tip!.hash, THEIRS[2]!.hash), 10_000);
    assert.equal(node.chain.tip!.height, THEIRS[2]!.height);
  } finally {
    peer?.close();
    await node.stop();
    await root.cleanup();
  }
});
