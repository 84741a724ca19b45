// Consensus attacks on a live node process, each over a raw socket after a
// handshake, each from its own loopback address (so one attacker's ban does
// not refuse the next). For every attack: what the node's tip does (its
// "new tip" log records, and printchain at the end), what the attacker gets
// (penalty, ban, disconnect: the node's log), and that a good peer is still
// served afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliJson } from './helpers/cliProcess.js';
import { Block, serializeBlock } from '../src/core/block.js';
import { bytesEqual, hashToHex } from '../src/core/bytes.js';
import { headerHash } from '../src/core/header.js';
import { medianTimePast } from '../src/core/difficulty.js';
import { blockSubsidy, REGTEST } from '../src/core/params.js';
import { bitsToTarget, hashMeetsTarget } from '../src/core/pow.js';
import { serializeTx, Tx, txid } from '../src/core/tx.js';
import type { Message } from '../src/p2p/messages.js';
import { Built, buildBlock, buildChain, signedTx, Spendable, testKey } from './helpers/chainFixtures.js';
import { tempDir } from './helpers/tempDir.js';
import { LiveNode, startChainNode, storedTip } from './reliability/liveNode.js';
import type { LogRecord } from './reliability/nodeLog.js';
import { WirePeer } from './reliability/wirePeer.js';
import { EV, type LogEvent } from '../src/node/logEvents.js';

const key = testKey(1);
const mallory = testKey(66);
const CHAIN = buildChain(null, 20, key);
const GENESIS = CHAIN[0]!.hash;

let root: { dir: string; cleanup: () => Promise<void> };
let node: LiveNode;
let good: WirePeer;
/** What the node's tip must be, kept in step with every attack that moves it. */
let tip: Built = CHAIN[CHAIN.length - 1]!;
let nextAddress = 10;
/** The payments of the block the heavier fork later orphans. */
let orphanedPayments: Tx[] = [];

before(async () => {
  root = await tempDir('attacks');
  node = await startChainNode(root.dir, 'target', CHAIN);
  good = await WirePeer.connect(node.def.port, '127.0.0.1');
  await good.handshake(GENESIS);
});

after(async () => {
  good?.close();
  await node?.proc.stop().catch(() => undefined);
  await root?.cleanup();
});

async function attacker(): Promise<WirePeer> {
  const p = await WirePeer.connect(node.def.port, `127.0.0.${nextAddress++}`);
  await p.handshake(GENESIS);
  return p;
}

const blockMsg = (b: Block): Message => ({ command: 'block', block: serializeBlock(b) });

/**
 * Sends `msgs`, then a ping: the pong comes only once the node has handled
 * everything before it. A ban closes the connection instead. Either way the
 * node is done with the attack when this returns.
 */
async function deliver(p: WirePeer, msgs: Message[]): Promise<'answered' | 'closed'> {
  for (const m of msgs) p.send(m);
  try {
    await p.ping(20_000);
    return 'answered';
  } catch (e) {
    if (p.closed) return 'closed';
    throw e;
  }
}

/**
 * Log records are read from a pipe, possibly after the socket event that
 * followed them. A fresh handshake logs "peer connected"; once that record is
 * in, so is everything the node logged before it.
 */
async function settle(): Promise<void> {
  const mark = node.log.mark();
  const marker = await WirePeer.connect(node.def.port, `127.0.0.${nextAddress++}`);
  await marker.handshake(GENESIS);
  await node.log.waitFor('the marker connection', (r) => r.event === EV.peerConnected && r.peer === marker.id, mark, 10_000);
  marker.close();
}

const newTips = (mark: number): LogRecord[] => node.log.since(mark).filter((r) => r.event === EV.newTip);
const about = (p: WirePeer, mark: number, event: LogEvent): LogRecord[] => node.log.since(mark).filter((r) => r.event === event && r.peer === p.id);

/** The good peer still gets pongs, and the current tip's block on request. */
async function assertServesGoodPeer(): Promise<void> {
  await good.ping(10_000);
  const mark = good.mark();
  good.send({ command: 'getdata', items: [{ kind: 'block', hash: tip.hash }] });
  await good.waitFor('the tip block', (m) => m.command === 'block' && bytesEqual(m.block, serializeBlock(tip.block)), 10_000, mark);
  assert.equal(good.closed, false);
}

/** Runs one attack and checks the outcome every rule violation shares. */
async function attack(msgs: Message[], expect: { code: string; score: number }): Promise<{ peer: WirePeer; mark: number }> {
  const mark = node.log.mark();
  const peer = await attacker();
  const outcome = await deliver(peer, msgs);
  await settle();
  const penalties = about(peer, mark, EV.peerMisbehaved);
  assert.equal(penalties.length, 1, `one penalty: ${JSON.stringify(node.log.since(mark))}`);
  assert.match(String(penalties[0]!.reason), new RegExp(expect.code));
  assert.equal(penalties[0]!.score, expect.score);
  if (expect.score >= 100) {
    assert.equal(outcome, 'closed', 'a ban closes the connection');
    assert.match(String(about(peer, mark, EV.peerLeft)[0]?.reason), /^misbehaving: /);
  } else {
    assert.equal(outcome, 'answered', 'below 100 the peer stays connected');
  }
  assert.deepEqual(newTips(mark), [], 'the tip did not move');
  await assertServesGoodPeer();
  peer.close();
  return { peer, mark };
}

const onTip = (o: Partial<Parameters<typeof buildBlock>[0]> = {}): Built => buildBlock({ parent: tip, key, extraNonce: 1000 + nextAddress, ...o });
const spendTo = (coin: Spendable, value = 1e8): Tx => signedTx([coin], [{ value, pubKeyHash: mallory.pkh }, { value: coin.value - value, pubKeyHash: key.pkh }]);

describe('consensus attacks against a live node process', () => {
  test('a block without enough proof of work: ban score 50, still connected, tip unchanged', async () => {
    const b = onTip().block;
    const target = bitsToTarget(b.header.bits);
    while (hashMeetsTarget(headerHash(b.header), target)) b.header.nonce++;
    await attack([blockMsg(b)], { code: 'high-hash', score: 50 });
  });

  test('a block with other bits than the chain requires (and proof of work for them): banned', async () => {
    await attack([blockMsg(onTip({ bits: 0x2000ffff }).block)], { code: 'bad-diffbits', score: 100 });
  });

  test('a block whose Merkle root does not match its transactions: banned', async () => {
    const sealed = onTip().block;
    sealed.header.merkleRoot = new Uint8Array(32).fill(9);
    const t = bitsToTarget(sealed.header.bits);
    while (!hashMeetsTarget(headerHash(sealed.header), t)) sealed.header.nonce++;
    await attack([blockMsg(sealed)], { code: 'bad-txnmrklroot', score: 100 });
  });

  test('a transaction duplicated under the same Merkle root (CVE-2012-2459): the mutant is refused, the real block still connects', async () => {
    orphanedPayments = [spendTo(CHAIN[0]!.reward), spendTo(CHAIN[1]!.reward)];
    const real = onTip({ txs: orphanedPayments });
    const [cb, t1, t2] = real.block.txs;
    const mutant: Block = { header: real.block.header, txs: [cb!, t1!, t2!, t2!] };
    assert.deepEqual(headerHash(mutant.header), real.hash, 'same header, so same block hash');
    await attack([blockMsg(mutant)], { code: 'bad-txns-duplicate', score: 100 });

    const mark = node.log.mark();
    const honest = await attacker();
    assert.equal(await deliver(honest, [blockMsg(real.block)]), 'answered');
    await settle();
    assert.deepEqual(newTips(mark).map((r) => r.hash), [hashToHex(real.hash)], 'the real block was not poisoned by its mutant');
    assert.deepEqual(about(honest, mark, EV.peerMisbehaved), []);
    tip = real;
    honest.close();
    await assertServesGoodPeer();
  });

  test('a coinbase paying more than subsidy plus fees: banned', async () => {
    await attack([blockMsg(onTip({ reward: blockSubsidy(REGTEST, tip.height + 1) + 1 }).block)], { code: 'bad-cb-amount', score: 100 });
  });

  test('one coin spent twice inside a block: banned', async () => {
    const coin = CHAIN[2]!.reward;
    await attack([blockMsg(onTip({ txs: [spendTo(coin, 1e8), spendTo(coin, 2e8)] }).block)], { code: 'bad-txns-inputs-missingorspent', score: 100 });
  });

  test('a spend of someone else\'s coin, in a block and as a loose transaction: banned, and the loose one is answered with a reject', async () => {
    const stolen: Spendable = { ...CHAIN[3]!.reward, key: mallory };
    const theft = signedTx([stolen], [{ value: stolen.value, pubKeyHash: mallory.pkh }]);
    await attack([blockMsg(onTip({ txs: [theft] }).block)], { code: 'bad-txns-wrong-owner', score: 100 });
    const peer = await attacker();
    const mark = peer.mark();
    peer.send({ command: 'tx', tx: serializeTx(theft) });
    const reject = await peer.waitFor('reject', (m) => m.command === 'reject', 10_000, mark).catch(() => null);
    assert.ok(reject && reject.command === 'reject' && reject.code === 'bad-txns-wrong-owner', `reject message: ${JSON.stringify(reject)}`);
    assert.equal(await peer.waitClosed(10_000), true, 'banned after the reject');
    await assertServesGoodPeer();
  });

  test('a block more than two hours ahead: not penalised (it may become valid), not taken, peer kept', async () => {
    const mark = node.log.mark();
    const peer = await attacker();
    const b = onTip({ time: Math.floor(Date.now() / 1000) + 3 * 3600 }).block;
    assert.equal(await deliver(peer, [blockMsg(b)]), 'answered');
    await settle();
    assert.deepEqual(about(peer, mark, EV.peerMisbehaved), []);
    assert.equal(about(peer, mark, EV.invalidBlock)[0]?.code, 'time-too-new');
    assert.deepEqual(newTips(mark), []);
    await assertServesGoodPeer();
    peer.close();
  });

  test('a block not above the median time of the last 11: banned', async () => {
    const times: number[] = [];
    for (let b: Built | undefined = tip, i = 0; b && i < REGTEST.medianTimeSpan; i++) {
      times.push(b.time);
      b = [...CHAIN, tip].find((x) => bytesEqual(x.hash, b!.block.header.prevHash));
    }
    await attack([blockMsg(onTip({ time: medianTimePast(times) }).block)], { code: 'time-too-old', score: 100 });
  });

  let sibling: Built;
  const parentOfTip = (): Built => CHAIN.find((b) => bytesEqual(b.hash, tip.block.header.prevHash))!;

  test('a fork with equal work: stored (served on request) but the tip stays', async () => {
    sibling = buildBlock({ parent: parentOfTip(), key: mallory, extraNonce: 1 });
    const mark = node.log.mark();
    const peer = await attacker();
    assert.equal(await deliver(peer, [blockMsg(sibling.block)]), 'answered');
    await settle();
    assert.deepEqual(newTips(mark), []);
    assert.deepEqual(about(peer, mark, EV.peerMisbehaved), []);
    const gm = good.mark();
    good.send({ command: 'getdata', items: [{ kind: 'block', hash: sibling.hash }] });
    await good.waitFor('the stored side block', (m) => m.command === 'block' && bytesEqual(m.block, serializeBlock(sibling.block)), 10_000, gm);
    await assertServesGoodPeer();
    peer.close();
  });

  test('a heavier fork that breaks a rule in its last block: the node tries it, goes back, and bans the sender', async () => {
    const bad = buildBlock({ parent: sibling, key: mallory, extraNonce: 2, reward: blockSubsidy(REGTEST, sibling.height + 1) + 1 });
    await attack([blockMsg(bad.block)], { code: 'bad-cb-amount', score: 100 });
  });

  test('a heavier fork: the node reorganises onto it and returns the orphaned payments to its mempool', async () => {
    const heavier = buildBlock({ parent: sibling, key: mallory, extraNonce: 3 });
    const mark = node.log.mark();
    const announced = good.mark();
    const peer = await attacker();
    assert.equal(await deliver(peer, [blockMsg(heavier.block)]), 'answered');
    await settle();
    assert.deepEqual(newTips(mark).map((r) => [r.height, r.hash]), [[heavier.height, hashToHex(heavier.hash)]]);
    const returned = node.log.since(mark).filter((r) => r.event === EV.reorgReturnedTxs);
    assert.equal(returned.length, 1);
    // Exactly this block's payments: the failed attempt of the previous test, which disconnected and
    // reconnected the same block, left nothing behind.
    assert.equal(returned[0]!.transactions, orphanedPayments.length);
    // Both payments of the orphaned block are back in the mempool: announced to peers (which the node
    // does once they are re-added, asynchronously), and served on request.
    for (const tx of orphanedPayments) {
      const id = txid(tx);
      await good.waitFor('the returned payment announced', (m) => m.command === 'inv' && m.items.some((i) => i.kind === 'tx' && bytesEqual(i.hash, id)), 10_000, announced);
      const gm = good.mark();
      good.send({ command: 'getdata', items: [{ kind: 'tx', hash: id }] });
      await good.waitFor('a returned payment', (m) => m.command === 'tx' && bytesEqual(m.tx, serializeTx(tx)), 10_000, gm);
    }
    tip = heavier;
    await assertServesGoodPeer();
    peer.close();
  });

  test('an unrequested block far ahead: kept as an orphan, its ancestors asked for, and connected once they arrive', async () => {
    const ahead = buildChain(tip, 6, mallory, 5);
    const mark = node.log.mark();
    const peer = await attacker();
    const pm = peer.mark();
    assert.equal(await deliver(peer, [blockMsg(ahead[5]!.block)]), 'answered');
    await peer.waitFor('getblocks for the missing ancestors', (m) => m.command === 'getblocks', 10_000, pm);
    await settle();
    assert.deepEqual(newTips(mark), []);
    assert.deepEqual(about(peer, mark, EV.peerMisbehaved), []);
    assert.equal(await deliver(peer, ahead.slice(0, 5).map((b) => blockMsg(b.block))), 'answered');
    await settle();
    assert.deepEqual(newTips(mark).at(-1)?.hash, hashToHex(ahead[5]!.hash), 'the orphan connected on top of its ancestors');
    tip = ahead[5]!;
    await assertServesGoodPeer();
    peer.close();
  });

  test('after all attacks: the good peer kept its one connection, no error was logged, and the stored chain ends at the expected tip', async () => {
    assert.equal(good.closed, false);
    assert.equal(good.protocolError, null);
    assert.deepEqual(node.log.errors, []);
    const exit = await node.proc.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.deepEqual(await storedTip(node.def), { height: tip.height, hash: hashToHex(tip.hash) });
    assert.equal((await cliJson(node.def, ['reindexutxo'])).changed, false);
  });
});
