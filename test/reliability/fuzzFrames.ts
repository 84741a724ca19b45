// What the wire fuzzer sends: "units" of one or more frames, each unit one
// kind of hostile input. None of them can make the node's chain move: every
// fork ends at or below the tip's height, every block on the tip breaks a rule,
// and no unit ever carries a valid block that extends the tip.
import { Block, serializeBlock } from '../../src/core/block.js';
import { ByteWriter } from '../../src/core/bytes.js';
import { MAX_MONEY } from '../../src/core/amount.js';
import { medianTimePast } from '../../src/core/difficulty.js';
import { headerHash } from '../../src/core/header.js';
import { merkleRootJs } from '../../src/core/merkle.js';
import { blockSubsidy, REGTEST } from '../../src/core/params.js';
import { bitsToTarget, hashMeetsTarget } from '../../src/core/pow.js';
import { createCoinbase, serializeTx, Tx, txid } from '../../src/core/tx.js';
import { COMMAND_BYTES, encodeFrame } from '../../src/p2p/frame.js';
import { COMMANDS, Command, encodeMessage, MAX_ADDRS, MAX_INV_ITEMS, MAX_LOCATOR_HASHES, Message } from '../../src/p2p/messages.js';
import { maxPayloadFor } from '../../src/p2p/peer.js';
import { Built, buildBlock, mine, signedTx, Spendable, TestKey, testKey } from '../helpers/chainFixtures.js';
import { Rng } from './rng.js';

export interface FuzzContext {
  rng: Rng;
  /** The node's main chain, genesis first. */
  chain: Built[];
  key: TestKey;
}

export interface Unit {
  frames: Uint8Array[];
  /** The node drops the connection after this (or the stream is desynchronised): nothing after it counts. */
  ends: boolean;
}

const MAGIC = REGTEST.magic;
const MAX_PAYLOAD = maxPayloadFor(REGTEST);
const frame = (command: string, payload: Uint8Array): Uint8Array => encodeFrame(MAGIC, command, payload);
const msgFrame = (m: Message): Uint8Array => frame(m.command, encodeMessage(m));
const one = (f: Uint8Array, ends = false): Unit => ({ frames: [f], ends });

export const UNIT_WEIGHTS = {
  'random-bytes': 4, truncated: 3, oversized: 3, 'bad-checksum': 8, 'unknown-command': 6, 'bad-command': 3, 'wrong-magic': 2,
  'garbage-payload': 10, 'mutated-message': 10,
  'inv-huge': 2, 'inv-over-limit': 1, 'inv-many-blocks': 2, 'getdata-unknown': 3, 'getdata-known': 3, 'notfound-random': 2,
  'locator-10k': 2, 'locator-max': 3, 'addr-flood': 2, 'addr-over-limit': 1,
  'tx-overflow': 6, 'tx-garbage': 4, 'tx-spend': 3,
  'block-bad-pow': 4, 'block-bad-rule': 6, 'block-low-fork': 4, 'block-deep-fork': 1, 'block-equal-work': 2, 'block-orphan': 4,
  'block-mutated': 5, 'block-huge-orphan': 1,
  'ping-flood': 3, 'pong-unsolicited': 2, 'version-again': 2, 'reject-long': 1,
} as const;
export type UnitKind = keyof typeof UNIT_WEIGHTS;

/** Payloads too costly to rebuild for every unit; their frames are sent as they are. */
interface BigFrames {
  invHuge: Uint8Array;
  invOver: Uint8Array;
  getdataHuge: Uint8Array;
  locator10k: Uint8Array;
}
const bigCache = new WeakMap<Built[], BigFrames>();

function bigFrames(ctx: FuzzContext): BigFrames {
  let b = bigCache.get(ctx.chain);
  if (b) return b;
  const r = new Rng(ctx.rng.seed ^ 0x5eed);
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: (i % 3 === 0 ? 'block' : 'tx') as 'block' | 'tx', hash: r.bytes(32) }));
  b = {
    invHuge: msgFrame({ command: 'inv', items: items(MAX_INV_ITEMS).map((i) => ({ ...i, kind: 'tx' as const })) }),
    invOver: msgFrame({ command: 'inv', items: items(MAX_INV_ITEMS + 1) }),
    getdataHuge: msgFrame({ command: 'getdata', items: items(MAX_INV_ITEMS) }),
    locator10k: msgFrame({ command: 'getblocks', locator: Array.from({ length: 10_000 }, () => r.bytes(32)), stop: null }),
  };
  bigCache.set(ctx.chain, b);
  return b;
}

// ---- blocks ------------------------------------------------------------------

const tipOf = (ctx: FuzzContext): Built => ctx.chain[ctx.chain.length - 1]!;
const outsider = testKey(9001);

function blockFrame(block: Block): Uint8Array {
  return msgFrame({ command: 'block', block: serializeBlock(block) });
}

/** Rebuilds the Merkle root, then searches a nonce that meets (or, with `fail`, misses) the bits. */
function reseal(block: Block, fail = false): Block {
  block.header.merkleRoot = merkleRootJs(block.txs.map(txid));
  const target = bitsToTarget(block.header.bits);
  for (let nonce = 0; nonce < 1_000_000; nonce++) {
    block.header.nonce = nonce;
    if (hashMeetsTarget(headerHash(block.header), target) !== fail) return block;
  }
  throw new Error('no nonce found');
}

/** A block on the node's tip that breaks exactly one rule, picked at random. */
function badRuleBlock(ctx: FuzzContext): Block {
  const { rng } = ctx;
  const tip = tipOf(ctx);
  const extraNonce = rng.int(1, 2 ** 30);
  const spend = (): Tx => signedTx([ctx.chain[rng.int(0, ctx.chain.length - 2)]!.reward], [{ value: 1e8, pubKeyHash: outsider.pkh }]);
  const times = ctx.chain.slice(-REGTEST.medianTimeSpan).map((b) => b.time);
  switch (rng.int(0, 10)) {
    case 0: { // Merkle root that does not match
      const b = buildBlock({ parent: tip, key: ctx.key, extraNonce }).block;
      b.header.merkleRoot = rng.bytes(32);
      return mine(b);
    }
    case 1: return buildBlock({ parent: tip, key: ctx.key, extraNonce, bits: 0x2000ffff }).block; // harder bits than expected
    case 2: return buildBlock({ parent: tip, key: ctx.key, extraNonce, time: medianTimePast(times) }).block; // not above the median
    case 3: return buildBlock({ parent: tip, key: ctx.key, extraNonce, time: Math.floor(Date.now() / 1000) + 3 * 3600 }).block; // too far ahead
    case 4: return buildBlock({ parent: tip, key: ctx.key, extraNonce, reward: blockSubsidy(REGTEST, tip.height + 1) + rng.int(1, 1e8) }).block; // inflated coinbase
    case 5: { // wrong coinbase height
      let h = rng.int(0, 1e6);
      if (h === tip.height + 1) h++;
      return buildBlock({ parent: tip, key: ctx.key, extraNonce, coinbaseHeight: h }).block;
    }
    case 6: { // one transaction twice
      const tx = spend();
      const base = buildBlock({ parent: tip, key: ctx.key, extraNonce }).block;
      return reseal({ header: base.header, txs: [base.txs[0]!, tx, tx] });
    }
    case 7: { // two transactions spending one coin
      const coin = ctx.chain[rng.int(0, ctx.chain.length - 2)]!.reward;
      const a = signedTx([coin], [{ value: 1e8, pubKeyHash: outsider.pkh }]);
      const b = signedTx([coin], [{ value: 2e8, pubKeyHash: outsider.pkh }]);
      return buildBlock({ parent: tip, key: ctx.key, extraNonce, txs: [a, b] }).block;
    }
    case 8: { // someone else's coin, signed with the wrong key
      const coin: Spendable = { ...ctx.chain[rng.int(0, ctx.chain.length - 2)]!.reward, key: outsider };
      return buildBlock({ parent: tip, key: ctx.key, extraNonce, txs: [signedTx([coin], [{ value: 1e8, pubKeyHash: outsider.pkh }])] }).block;
    }
    case 9: { // no coinbase at all
      const b = buildBlock({ parent: tip, key: ctx.key, extraNonce }).block;
      return reseal({ header: b.header, txs: [spend()] });
    }
    default: { // coinbase paying an amount above the money supply
      const b = buildBlock({ parent: tip, key: ctx.key, extraNonce }).block;
      b.txs[0]!.outputs[0]!.value = MAX_MONEY + rng.int(1, 1000);
      return reseal(b);
    }
  }
}

/** A branch off the main chain at a random height that ends strictly below (or, with `equal`, at) the tip's work. */
function forkFrames(ctx: FuzzContext, from: number, length: number): Uint8Array[] {
  let parent = ctx.chain[from]!;
  const extraNonce = ctx.rng.int(1, 2 ** 30);
  const out: Uint8Array[] = [];
  for (let i = 0; i < length; i++) {
    parent = buildBlock({ parent, key: outsider, extraNonce });
    out.push(blockFrame(parent.block));
  }
  return out;
}

function mutate(rng: Rng, bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (rng.int(0, 3)) {
    case 0: { // a few flipped bytes
      const n = rng.int(1, 4);
      for (let i = 0; i < n && out.length > 0; i++) out[rng.int(0, out.length - 1)] ^= rng.int(1, 255);
      return out;
    }
    case 1: return out.subarray(0, rng.int(0, Math.max(0, out.length - 1))); // truncated
    case 2: { // bytes appended
      const tail = rng.bytes(rng.int(1, 64));
      const grown = new Uint8Array(out.length + tail.length);
      grown.set(out);
      grown.set(tail, out.length);
      return grown;
    }
    default: { // one byte set to an extreme
      if (out.length > 0) out[rng.int(0, out.length - 1)] = rng.pick([0x00, 0x7f, 0x80, 0xfd, 0xfe, 0xff]);
      return out;
    }
  }
}

// ---- transactions ------------------------------------------------------------

/** A signed spend of a main-chain coin; outputs may be changed afterwards (the signature then no longer fits). */
function spendOf(ctx: FuzzContext): Tx {
  const coin = ctx.chain[ctx.rng.int(0, ctx.chain.length - 1)]!.reward;
  return signedTx([coin], [{ value: coin.value - ctx.rng.int(0, 1000), pubKeyHash: outsider.pkh }]);
}

/** Writes an output value the encoder refuses (2^53 and above), straight into the bytes. */
function withRawValue(tx: Tx, value: bigint): Uint8Array {
  const bytes = Uint8Array.from(serializeTx(tx));
  const at = bytes.length - 28;
  new DataView(bytes.buffer).setBigUint64(at, value, true);
  return bytes;
}

function overflowTx(ctx: FuzzContext): Uint8Array {
  const { rng } = ctx;
  const tx = spendOf(ctx);
  switch (rng.int(0, 5)) {
    case 0: tx.outputs[0]!.value = MAX_MONEY + rng.int(1, 1e6); return serializeTx(tx);
    case 1: tx.outputs = [{ value: MAX_MONEY, pubKeyHash: outsider.pkh }, { value: MAX_MONEY, pubKeyHash: outsider.pkh }]; return serializeTx(tx);
    case 2: return withRawValue(tx, rng.pick([2n ** 53n, 2n ** 63n, 2n ** 64n - 1n]));
    case 3: tx.outputs[0]!.value = tx.outputs[0]!.value + rng.int(1e8, 1e9); return serializeTx(tx); // outputs above inputs
    case 4: { // an input count far beyond the bytes
      const w = new ByteWriter().u32(1).u8(0xff);
      return Uint8Array.from([...w.finish(), ...rng.bytes(8), ...rng.bytes(rng.int(0, 40))]);
    }
    default: tx.outputs = Array.from({ length: rng.int(2, 200) }, () => ({ value: Math.floor(MAX_MONEY / 2), pubKeyHash: outsider.pkh })); return serializeTx(tx);
  }
}

// ---- messages ----------------------------------------------------------------

function someMessage(ctx: FuzzContext, command: Command): Message {
  const { rng } = ctx;
  const h = (): Uint8Array => (rng.chance(0.5) ? ctx.chain[rng.int(0, ctx.chain.length - 1)]!.hash : rng.bytes(32));
  switch (command) {
    case 'version': return { command, version: { protocol: rng.int(0, 5), userAgent: '/x/', bestHeight: rng.int(0, 1e6), work: BigInt(rng.int(0, 1e9)), genesis: h(), listenPort: rng.int(0, 65535), nonce: BigInt(rng.int(0, 2 ** 31)), timestamp: 0n } };
    case 'verack': case 'getaddr': return { command };
    case 'addr': return { command, addresses: Array.from({ length: rng.int(1, 5) }, () => ({ host: `127.0.0.${rng.int(1, 254)}`, port: 1, lastSeen: 0n })) };
    case 'headers': return { command, headers: ctx.chain.slice(0, rng.int(0, Math.min(20, ctx.chain.length))).map((b) => b.block.header) };
    case 'getblocks': case 'getheaders': return { command, locator: Array.from({ length: rng.int(0, 12) }, h), stop: rng.chance(0.3) ? h() : null };
    case 'inv': case 'getdata': case 'notfound': return { command, items: Array.from({ length: rng.int(1, 10) }, () => ({ kind: rng.chance(0.5) ? 'block' as const : 'tx' as const, hash: h() })) };
    case 'block': return { command, block: serializeBlock(ctx.chain[rng.int(0, ctx.chain.length - 1)]!.block) };
    case 'tx': return { command, tx: serializeTx(spendOf(ctx)) };
    case 'ping': case 'pong': return { command, nonce: BigInt(rng.int(0, 2 ** 31)) };
    case 'reject': return { command, rejected: 'tx', code: 'x', reason: 'y', hash: rng.chance(0.5) ? rng.bytes(32) : null };
    case 'getcfilters': case 'getcfheaders': return { command, filterType: rng.int(0, 2), startHeight: rng.int(0, 3000), stopHash: h() };
    case 'getcfcheckpt': return { command, filterType: rng.int(0, 1), stopHash: h() };
    case 'cfilter': return { command, filterType: 0, blockHash: h(), filter: rng.bytes(rng.int(1, 40)) };
    case 'cfheaders': return { command, filterType: 0, stopHash: h(), previousHeader: h(), filterHashes: Array.from({ length: rng.int(0, 5) }, h) };
    case 'cfcheckpt': return { command, filterType: 0, stopHash: h(), headers: Array.from({ length: rng.int(0, 5) }, h) };
  }
}

function randomCommandBytes(rng: Rng): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (;;) {
    const name = Array.from({ length: rng.int(1, COMMAND_BYTES) }, () => rng.pick([...letters])).join('');
    if (!(COMMANDS as readonly string[]).includes(name)) return name;
  }
}

// ---- units -------------------------------------------------------------------

export function makeUnit(kind: UnitKind, ctx: FuzzContext): Unit {
  const { rng } = ctx;
  const big = bigFrames(ctx);
  switch (kind) {
    case 'random-bytes': return one(rng.bytes(rng.int(1, 2000)), true);
    case 'truncated': {
      const f = msgFrame(someMessage(ctx, rng.pick(COMMANDS)));
      return one(f.subarray(0, rng.int(1, f.length - 1)), true);
    }
    case 'oversized': {
      const f = Uint8Array.from(frame(rng.pick(COMMANDS), rng.bytes(rng.int(0, 64))));
      new DataView(f.buffer).setUint32(16, rng.int(MAX_PAYLOAD + 1, 0xffffffff), true);
      return one(f, true);
    }
    case 'bad-checksum': {
      const f = Uint8Array.from(msgFrame(someMessage(ctx, rng.pick(COMMANDS))));
      f[20 + rng.int(0, 3)] ^= rng.int(1, 255);
      return one(f);
    }
    case 'unknown-command': return one(frame(randomCommandBytes(rng), rng.bytes(rng.int(0, 300))));
    case 'bad-command': {
      const f = Uint8Array.from(frame('ping', encodeMessage({ command: 'ping', nonce: 1n })));
      const at = 4 + rng.int(0, COMMAND_BYTES - 1);
      f[at] = rng.pick([0x41, 0x2f, 0x20, 0xff, 0x7b, 0x01]);
      return one(f, true);
    }
    case 'wrong-magic': {
      const f = Uint8Array.from(msgFrame({ command: 'ping', nonce: 7n }));
      f.set(rng.chance(0.5) ? Uint8Array.of(0x70, 0x62, 0x63, 0x6d) : rng.bytes(4), 0);
      return one(f, true);
    }
    case 'garbage-payload': return one(frame(rng.pick(COMMANDS), rng.bytes(rng.int(0, 500))));
    case 'mutated-message': {
      const m = someMessage(ctx, rng.pick(COMMANDS));
      return one(frame(m.command, mutate(rng, encodeMessage(m))));
    }
    case 'inv-huge': return one(big.invHuge);
    case 'inv-over-limit': return one(big.invOver);
    case 'inv-many-blocks': return one(msgFrame({ command: 'inv', items: Array.from({ length: rng.int(501, 2000) }, () => ({ kind: 'block' as const, hash: rng.bytes(32) })) }));
    case 'getdata-unknown': return one(rng.chance(0.2) ? big.getdataHuge : msgFrame({ command: 'getdata', items: Array.from({ length: rng.int(1, 2000) }, () => ({ kind: rng.chance(0.5) ? 'block' as const : 'tx' as const, hash: rng.bytes(32) })) }));
    case 'getdata-known': {
      const from = rng.int(0, ctx.chain.length - 1);
      const items = ctx.chain.slice(from, from + rng.int(1, 200)).map((b) => ({ kind: 'block' as const, hash: b.hash }));
      return one(msgFrame({ command: 'getdata', items }));
    }
    case 'notfound-random': return one(msgFrame({ command: 'notfound', items: Array.from({ length: rng.int(1, 500) }, () => ({ kind: 'block' as const, hash: rng.bytes(32) })) }));
    case 'locator-10k': return one(big.locator10k);
    case 'locator-max': {
      const locator = Array.from({ length: MAX_LOCATOR_HASHES }, () => (rng.chance(0.1) ? ctx.chain[rng.int(0, ctx.chain.length - 1)]!.hash : rng.bytes(32)));
      return one(msgFrame({ command: 'getblocks', locator, stop: rng.chance(0.3) ? rng.bytes(32) : null }));
    }
    case 'addr-flood':
    case 'addr-over-limit': {
      // Port 1 on loopback: nothing listens there, so an address the node learns and dials is refused at once.
      const n = kind === 'addr-flood' ? MAX_ADDRS : MAX_ADDRS + 1;
      const addresses = Array.from({ length: n }, () => ({ host: rng.chance(0.9) ? `127.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}` : '::1', port: 1, lastSeen: BigInt(rng.int(0, 2 ** 32)) }));
      return one(msgFrame({ command: 'addr', addresses }));
    }
    case 'tx-overflow': return one(msgFrame({ command: 'tx', tx: overflowTx(ctx) }));
    case 'tx-garbage': return one(msgFrame({ command: 'tx', tx: rng.chance(0.5) ? rng.bytes(rng.int(1, 400)) : mutate(rng, serializeTx(spendOf(ctx))) }));
    case 'tx-spend': return one(msgFrame({ command: 'tx', tx: serializeTx(spendOf(ctx)) }));
    case 'block-bad-pow': {
      const b = buildBlock({ parent: tipOf(ctx), key: ctx.key, extraNonce: rng.int(1, 2 ** 30) }).block;
      if (rng.chance(0.3)) b.header.bits = 0x1d00ffff;
      return one(blockFrame(reseal(b, true)));
    }
    case 'block-bad-rule': return one(blockFrame(badRuleBlock(ctx)));
    case 'block-low-fork': {
      const tipIdx = ctx.chain.length - 1;
      const from = rng.int(0, tipIdx - 2);
      return { frames: forkFrames(ctx, from, rng.int(1, Math.min(12, tipIdx - from - 1))), ends: false };
    }
    case 'block-deep-fork': return { frames: forkFrames(ctx, 0, rng.int(20, Math.min(100, ctx.chain.length - 2))), ends: false };
    case 'block-equal-work': {
      const tipIdx = ctx.chain.length - 1;
      const from = tipIdx - rng.int(1, 3);
      return { frames: forkFrames(ctx, from, tipIdx - from), ends: false };
    }
    case 'block-orphan': {
      const parent = { hash: rng.bytes(32), height: rng.int(1, 1e6), time: tipOf(ctx).time };
      return one(blockFrame(buildBlock({ parent, key: outsider, extraNonce: rng.int(1, 2 ** 30) }).block));
    }
    case 'block-mutated': {
      const src = rng.chance(0.5) ? ctx.chain[rng.int(0, ctx.chain.length - 1)]!.block : badRuleBlock(ctx);
      return one(msgFrame({ command: 'block', block: mutate(rng, serializeBlock(src)) }));
    }
    case 'block-huge-orphan': {
      // Close to the 1 MB limit: a coinbase with ~35,000 zero-value outputs, on an unknown parent.
      const outputs = Array.from({ length: 35_000 }, () => ({ value: 0, pubKeyHash: outsider.pkh }));
      const cb = createCoinbase(rng.int(2, 1e6), outputs, rng.int(1, 2 ** 30));
      const block = reseal({ header: { version: 1, prevHash: rng.bytes(32), merkleRoot: new Uint8Array(32), time: tipOf(ctx).time, bits: REGTEST.genesisBits, nonce: 0 }, txs: [cb] });
      return one(blockFrame(block));
    }
    case 'ping-flood': return { frames: Array.from({ length: rng.int(2, 50) }, () => msgFrame({ command: 'ping', nonce: BigInt(rng.int(0, 2 ** 31)) })), ends: false };
    case 'pong-unsolicited': return one(msgFrame({ command: 'pong', nonce: BigInt(rng.int(0, 2 ** 31)) }));
    case 'version-again': return one(msgFrame(someMessage(ctx, 'version')));
    case 'reject-long': return one(frame('reject', encodeMessage({ command: 'reject', rejected: 'x'.repeat(rng.int(1, 40)), code: 'c'.repeat(rng.int(1, 200)), reason: 'r'.repeat(rng.int(1, 3000)), hash: null })));
  }
}

