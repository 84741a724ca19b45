// Relay of a new tip: "one inv to every peer but the one it came from". Two
// peers deliver blocks at the same moment (one the parent, the other its
// child), so both blocks are being processed at once: the announcement of the
// tip must skip the peer that sent the tip block, and only that one.
import assert from 'node:assert/strict';
import test from 'node:test';
import { randomBytes } from 'node:crypto';
import { bytesEqual } from '../src/core/bytes.js';
import { serializeBlock } from '../src/core/block.js';
import type { Message } from '../src/p2p/messages.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';
import { WirePeer } from './reliability/wirePeer.js';

const HAVE = 20;
const ROUNDS = 5;
const CHAIN = buildChain(null, HAVE + 2 * ROUNDS, testKey(41));

const announces = (m: Message, hash: Uint8Array): boolean =>
  m.command === 'inv' && m.items.some((i) => i.kind === 'block' && bytesEqual(i.hash, hash));

test('with two peers delivering blocks at once, the new tip is announced to every peer but its sender', { timeout: 60_000 }, async () => {
  const root = await tempDir('relay-source');
  await writeChain(root.dir, CHAIN.slice(0, HAVE));
  const node = await startTestNode(root.dir);
  const open: WirePeer[] = [];
  const peer = async (): Promise<WirePeer> => {
    const p = await WirePeer.connect(node.network.port);
    open.push(p);
    // The node sends its version as it accepts: the handshake starts as soon as the connection is up.
    await p.handshake(CHAIN[0]!.hash);
    return p;
  };
  try {
    const a = await peer();
    const b = await peer();
    for (let r = 0; r < ROUNDS; r++) {
      const parent = CHAIN[HAVE + 2 * r]!;
      const child = CHAIN[HAVE + 2 * r + 1]!;
      const am = a.mark();
      const bm = b.mark();
      // Back to back, on two connections: the child arrives while its parent is still being connected.
      a.send({ command: 'block', block: serializeBlock(parent.block) });
      b.send({ command: 'block', block: serializeBlock(child.block) });
      await a.waitFor(`round ${r}: the tip announced to the parent's sender`, (m) => announces(m, child.hash), 10_000, am);
      assert.ok(bytesEqual(node.chain.tip!.hash, child.hash), `round ${r}: the child is the tip`);
      // Frames reach a peer in the order they were sent: once B's answer to a later request is in,
      // an announcement sent to B before it would be in too.
      const probe = randomBytes(32);
      b.send({ command: 'getdata', items: [{ kind: 'tx', hash: probe }] });
      await b.waitFor(`round ${r}: notfound for the probe`, (m) => m.command === 'notfound' && m.items.some((i) => bytesEqual(i.hash, probe)), 10_000, bm);
      const toSender = b.inbox.slice(Math.max(0, bm - (b.received - b.inbox.length))).filter((m) => announces(m, child.hash));
      assert.equal(toSender.length, 0, `round ${r}: the child's sender was told of its own block`);
    }
  } finally {
    for (const p of open) p.close();
    await node.stop();
    await root.cleanup();
  }
});
