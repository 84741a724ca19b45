// BIP157 serving over real TCP: a node answers getcfilters, getcfheaders and
// getcfcheckpt from its filter index, the answers agree with one another and
// with the filter header chain, and a peer that keeps asking for oversized
// ranges is banned.
import assert from 'node:assert/strict';
import test from 'node:test';
import { filterHash, filterHeader, GENESIS_PREV_FILTER_HEADER } from '../src/core/gcs.js';
import type { PubchainNode } from '../src/node/node.js';
import type { FilterMessage } from '../src/p2p/filterMessages.js';
import type { Message } from '../src/p2p/messages.js';
import type { Peer } from '../src/p2p/peer.js';
import type { PeerManager } from '../src/p2p/peerManager.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { makeManager } from './helpers/p2pHarness.js';
import { tempDir } from './helpers/tempDir.js';

const CHAIN = buildChain(null, 1010, testKey(21));
const tipHash = CHAIN.at(-1)!.hash;

function expect<C extends FilterMessage['command']>(m: FilterMessage, command: C): FilterMessage & { command: C } {
  assert.equal(m.command, command);
  return m as FilterMessage & { command: C };
}

interface Client { manager: PeerManager; peer: Peer; got: FilterMessage[]; closed: () => boolean }

async function client(node: PubchainNode): Promise<Client> {
  const manager = makeManager(CHAIN[0]!.hash);
  const got: FilterMessage[] = [];
  let ready: Peer | null = null;
  let gone = false;
  manager.on('ready', (p: Peer) => { ready = p; });
  manager.on('close', () => { gone = true; });
  manager.on('message', (_p: Peer, m: Message) => { if (m.command.startsWith('cf')) got.push(m as FilterMessage); });
  manager.connect('127.0.0.1', node.network.port);
  await eventually('handshake', () => ready !== null);
  return { manager, peer: ready!, got, closed: () => gone };
}

test('a node serves filters, filter hashes and checkpoints that agree with its filter header chain', { timeout: 120_000 }, async () => {
  const t = await tempDir('filter-serving');
  // Written without the index: the node builds every filter when it opens.
  await writeChain(t.dir, CHAIN);
  const node = await startTestNode(t.dir);
  const c = await client(node);
  try {
    const index = node.chain.filterIndex!;
    assert.equal(index.stats.caughtUp, CHAIN.length);
    const entries = await index.getEntries(CHAIN.map((b) => b.hash));

    // Heights count from the genesis block at height 1: CHAIN[i] is at height i + 1.
    c.peer.send({ command: 'getcfheaders', filterType: 0, startHeight: 1, stopHash: tipHash });
    c.peer.send({ command: 'getcfheaders', filterType: 0, startHeight: 1000, stopHash: tipHash });
    c.peer.send({ command: 'getcfilters', filterType: 0, startHeight: 995, stopHash: CHAIN[1003]!.hash });
    c.peer.send({ command: 'getcfcheckpt', filterType: 0, stopHash: tipHash });
    await eventually('the answers', () => c.got.length === 2 + 10 + 1);
    // Answers to different requests may interleave; those to one request come in order.
    const headers = c.got.filter((m) => m.command === 'cfheaders').map((m) => expect(m, 'cfheaders'));
    assert.equal(headers.length, 2);
    const [fromGenesis, from1000] = headers[0]!.filterHashes.length > headers[1]!.filterHashes.length ? headers as [typeof headers[0], typeof headers[0]] : [headers[1]!, headers[0]!];
    const filters = c.got.filter((m) => m.command === 'cfilter').map((m) => expect(m, 'cfilter'));
    assert.equal(filters.length, 10);
    const checkpt = expect(c.got.find((m) => m.command === 'cfcheckpt')!, 'cfcheckpt');

    // cfheaders from genesis: chaining its hashes gives every stored header.
    assert.deepEqual(fromGenesis.previousHeader, GENESIS_PREV_FILTER_HEADER);
    assert.equal(fromGenesis.filterHashes.length, CHAIN.length);
    let prev: Uint8Array = fromGenesis.previousHeader;
    fromGenesis.filterHashes.forEach((fh, i) => {
      assert.deepEqual(fh, filterHash(entries[i]!.filter));
      prev = filterHeader(entries[i]!.filter, prev);
      assert.deepEqual(prev, entries[i]!.header);
    });
    // From height 1000: the previous header is that of the block at height 999.
    assert.deepEqual(from1000.previousHeader, entries[998]!.header);
    assert.equal(from1000.filterHashes.length, CHAIN.length + 1 - 1000);
    assert.deepEqual(from1000.filterHashes[0], filterHash(entries[999]!.filter));
    assert.deepEqual(from1000.stopHash, tipHash);
    // cfilter: one per block, oldest first, each the stored filter.
    filters.forEach((f, i) => {
      assert.deepEqual(f.blockHash, CHAIN[994 + i]!.hash);
      assert.deepEqual(f.filter, entries[994 + i]!.filter);
    });
    // cfcheckpt: the header at height 1000.
    assert.deepEqual(checkpt.headers, [entries[999]!.header]);

    // Nothing comes back for an unknown stop hash or another filter type.
    c.peer.send({ command: 'getcfilters', filterType: 0, startHeight: 0, stopHash: new Uint8Array(32).fill(9) });
    c.peer.send({ command: 'getcfilters', filterType: 1, startHeight: 0, stopHash: CHAIN[3]!.hash });
    c.peer.send({ command: 'getcfcheckpt', filterType: 0, stopHash: CHAIN[3]!.hash });
    await eventually('the empty checkpoint', () => c.got.length === 14);
    assert.deepEqual(expect(c.got[13]!, 'cfcheckpt').headers, []);
    assert.equal(c.closed(), false);

    // Ranges above BIP157's limits (or inverted) cost ban score until the peer is banned.
    for (let i = 0; i < 4; i++) {
      c.peer.send({ command: 'getcfilters', filterType: 0, startHeight: 1, stopHash: tipHash });
      c.peer.send({ command: 'getcfheaders', filterType: 0, startHeight: 0, stopHash: tipHash });
      c.peer.send({ command: 'getcfheaders', filterType: 0, startHeight: 10, stopHash: CHAIN[5]!.hash });
    }
    await eventually('the ban', () => c.closed());
    assert.equal(c.got.length, 14);
  } finally {
    await c.manager.close();
    await node.stop();
    await t.cleanup();
  }
});
