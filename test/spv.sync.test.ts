// The light node (src/node/spv/) against real full nodes: in-process nodes on
// real RocksDB and TCP. A recording sink stands in for the light wallet.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToHex, toHex } from '../src/core/bytes.js';
import { txOutProof } from '../src/rpc/methods/proofs.js';
import { runCli } from './helpers/cliProcess.js';
import type { PubchainNode } from '../src/node/node.js';
import type { LightNode } from '../src/node/spv/lightNode.js';
import { signedTx, testKey, type Built } from './helpers/chainFixtures.js';
import { txid } from '../src/core/tx.js';
import { addressOf, eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { chainWithPayments, startLight, type RecordingSink } from './helpers/spvHarness.js';
import { nodeFleet } from './helpers/nodeProcesses.js';
import { tempDir } from './helpers/tempDir.js';

const miner = testKey(1);
const wallet = testKey(2);
const PAY_AT = new Set([2, 9, 10, 23, 37]);

describe('light node sync', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let a: PubchainNode;
  let b: PubchainNode;
  let light: { node: LightNode; sink: RecordingSink } | null = null;
  const chain: Built[] = chainWithPayments(null, 40, miner, wallet, PAY_AT);
  const lastConnect = (s: RecordingSink) => s.connects()[s.connects().length - 1];
  /** A block the reorganisation below takes off the best chain. */
  let stale: Built;

  before(async () => {
    dir = await tempDir('spv-sync');
    await writeChain(`${dir.dir}/a`, chain);
    await writeChain(`${dir.dir}/b`, chain);
    a = await startTestNode(`${dir.dir}/a`);
    b = await startTestNode(`${dir.dir}/b`, { connect: [addressOf(a)] });
  });

  after(async () => {
    await light?.node.stop();
    await b?.stop();
    await a?.stop();
    await dir.cleanup();
  });

  it('syncs headers, cross-checks filter headers and fetches only the matching blocks', async () => {
    light = await startLight(`${dir.dir}/light`, [addressOf(a), addressOf(b)], [wallet.pkh]);
    const { node, sink } = light;
    await eventually('the light node to apply height 40', () => lastConnect(sink)?.height === 40, 60_000);
    const connects = sink.connects();
    assert.deepEqual(connects.map((c) => c.height), Array.from({ length: 40 }, (_, i) => i + 1), 'every height, in order');
    assert.deepEqual(connects.map((c) => c.hash), chain.map((x) => hashToHex(x.hash)));
    assert.deepEqual(connects.filter((c) => c.body).map((c) => c.height), [...PAY_AT], 'bodies exactly where the wallet was paid');
    assert.equal(node.progress().blocksRequested, PAY_AT.size, 'one getdata per matching block, no other');
    assert.equal(node.progress().uncheckedRanges, 0, 'with two peers every range is cross-checked');
    assert.equal(node.headerTip().height, 40);
    assert.equal(hashToHex(node.headerAt(23)!.prevHash), hashToHex(chain[21]!.hash));
    assert.equal(node.headerByHash(chain[9]!.hash)?.height, 10);
    assert.deepEqual(node.syncedTip()?.height, 40);
    // Full nodes keep the light node as a peer but never ask it for blocks or headers.
    assert.ok(node.peers().length === 2);
  });

  it('takes a new block as a header and a filter, and its body when it pays the wallet', async () => {
    const { node, sink } = light!;
    const next = chainWithPayments(chain[39]!, 1, miner, wallet, new Set([41]), 0, chain.slice(30, 31));
    chain.push(next[0]!);
    assert.equal(await a.protocol.submitMinedBlock(next[0]!.block), true);
    await eventually('height 41 on the light node', () => lastConnect(sink)?.height === 41, 30_000);
    assert.equal(lastConnect(sink)!.body, true);
    assert.equal(node.progress().blocksRequested, PAY_AT.size + 1);
  });

  it('follows a reorganisation: disconnects the old branch newest first, then applies the new one', async () => {
    const { sink } = light!;
    const mark = sink.events.length;
    const branch = chainWithPayments(chain[38]!, 3, miner, wallet, new Set([41]), 7, chain.slice(20, 22));
    for (const x of branch) await a.protocol.submitMinedBlock(x.block);
    await eventually('the new branch on the light node', () => lastConnect(sink)?.hash === hashToHex(branch[2]!.hash), 30_000);
    const seen = sink.events.slice(mark).map((e) => `${e.kind} ${e.height} ${e.body ? 'body' : '-'}`);
    assert.deepEqual(seen, ['disconnect 41 -', 'disconnect 40 -', 'connect 40 -', 'connect 41 body', 'connect 42 -']);
    assert.equal(sink.events.slice(mark)[0]!.hash, hashToHex(chain[40]!.hash));
    stale = chain[40]!;
    chain.splice(39, 2, ...branch);
  });

  it('resumes after a restart, and unwinds first when the best chain moved meanwhile', async () => {
    await light!.node.stop();
    // While it is down: a branch from height 41 that replaces 42 and goes on to 44.
    const branch = chainWithPayments(chain[40]!, 3, miner, wallet, new Set([42]), 9, chain.slice(10, 12));
    for (const x of branch) await a.protocol.submitMinedBlock(x.block);
    light = await startLight(`${dir.dir}/light`, [addressOf(a), addressOf(b)], [wallet.pkh]);
    const { node, sink } = light;
    assert.equal(node.headerTip().height, 42, 'headers come back from disk before any peer answers');
    await eventually('the light node to reach 44', () => lastConnect(sink)?.hash === hashToHex(branch[2]!.hash), 30_000);
    const seen = sink.events.map((e) => `${e.kind} ${e.height} ${e.body ? 'body' : '-'}`);
    assert.deepEqual(seen, ['disconnect 42 -', 'connect 42 body', 'connect 43 -', 'connect 44 -'], 'nothing below the fork is applied again');
    chain.splice(41, 1, ...branch);
  });

  it('broadcasts a transaction to its full peers, and refuses when none is connected', async () => {
    const { node } = light!;
    const tx = signedTx([chain[43]!.reward], [{ value: chain[43]!.reward.value - 500, pubKeyHash: wallet.pkh }]);
    assert.equal(await node.broadcast(tx), 2);
    await eventually('the transaction in both mempools', () => a.mempool.has(txid(tx)) && b.mempool.has(txid(tx)), 20_000);
    const lonely = await startLight(`${dir.dir}/lonely`, [], [wallet.pkh]);
    try {
      await assert.rejects(lonely.node.broadcast(tx), /no full peer is connected/);
    } finally {
      await lonely.node.stop();
    }
  });
  it('with the node stopped, `pubchain verifytxoutproof` checks a proof against the stored headers', async () => {
    await light!.node.stop();
    const at = chain[9]!;
    const paid = at.block.txs[at.block.txs.length - 1]!;
    const proof = toHex(await txOutProof(a.chain, [txid(paid)], at.hash));
    const ok = await runCli(['verifytxoutproof', proof, '--datadir', `${dir.dir}/light`, '--network', 'regtest', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { valid: true, txids: [hashToHex(txid(paid))] });
    // A block the light wallet's headers do not hold (one taken off by the reorganisations above).
    const gone = await runCli(['verifytxoutproof', toHex(await txOutProof(a.chain, [txid(stale.block.txs[0]!)], stale.hash)), '--datadir', `${dir.dir}/light`, '--network', 'regtest']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /Block not found/);
    light = null;
  });
});

describe('light node and a full node in its own process', () => {
  const fleet = nodeFleet('spv-process');

  it('syncs from a real pubchain startnode, its one peer taken unchecked and said so', async () => {
    const chain = chainWithPayments(null, 20, miner, wallet, new Set([3, 14]));
    const def = await fleet.def('full');
    await writeChain(def.datadir, chain);
    const proc = fleet.start(def, []);
    await proc.waitForLog(/"listening"/, 30_000);
    const { dir, cleanup } = await tempDir('spv-process-light');
    const { node, sink } = await startLight(dir, [`127.0.0.1:${def.port}`], [wallet.pkh]);
    try {
      await eventually('height 20 on the light node', () => sink.connects().at(-1)?.height === 20, 60_000);
      assert.deepEqual(sink.connects().filter((c) => c.body).map((c) => c.height), [3, 14]);
      assert.ok(node.progress().uncheckedRanges >= 1, 'one peer: its filter headers are counted unchecked');
      assert.equal(node.progress().blocksRequested, 2);
    } finally {
      await node.stop();
      await cleanup();
    }
  });
});
