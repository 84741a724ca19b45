// Everything a peer's bytes reach before the node trusts them, run over
// generated inputs: message decoders for every command, the block, transaction
// and header parsers, the streaming frame parser and the consensus rules. The
// only errors allowed out are the typed ones the peer layer turns into a
// penalty (ValidationError, FrameError, PubchainError); a TypeError or
// RangeError here would be an uncaught path in the node.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_MONEY } from '../src/core/amount.js';
import { Block, parseBlock, serializeBlock } from '../src/core/block.js';
import { concatBytes } from '../src/core/bytes.js';
import { PubchainError, ValidationError } from '../src/core/errors.js';
import { hash160 } from '../src/core/hash.js';
import { HEADER_SIZE, parseHeader, serializeHeader } from '../src/core/header.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { REGTEST } from '../src/core/params.js';
import { checkBlockContext, checkProofOfWork, checkBlockSanity, checkTxInputs, checkTxSanity, connectBlockTxs, verifySigChecks } from '../src/core/validate.js';
import { COINBASE_VOUT, createCoinbase, NULL_HASH, outpointKey, parseTx, serializeTx, Tx, txid } from '../src/core/tx.js';
import { verifyFast } from '../src/crypto/keys.js';
import { pubchain } from '../src/generated/proto.js';
import { encodeFrame } from '../src/p2p/frame.js';
import { FrameError, FrameParser, ParsedItem } from '../src/p2p/frameParser.js';
import { COMMANDS, decodeMessage, encodeMessage, MAX_ADDRS, MAX_INV_ITEMS, MAX_LOCATOR_HASHES, Message } from '../src/p2p/messages.js';
import { maxPayloadFor } from '../src/p2p/peer.js';
import { buildBlock, buildChain, mine, signedTx, testKey } from './helpers/chainFixtures.js';
import { MapView } from './helpers/coreFixtures.js';

const typed = (e: unknown): boolean => e instanceof ValidationError || e instanceof FrameError || e instanceof PubchainError;

/** Runs `fn`; a typed error is an answer, anything else fails the property with its name. */
function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (typed(e)) return undefined;
    throw new Error(`untyped error escaped: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** A few byte flips, a cut and a tail: how a valid encoding is turned hostile. */
const mutation = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  tail: bytes(12),
});
function mutate(src: Uint8Array, m: { flips: Array<[number, number]>; cut?: number; tail: Uint8Array }): Uint8Array {
  let out = Uint8Array.from(src);
  for (const [at, x] of m.flips) if (out.length > 0) out[at % out.length] ^= x;
  if (m.cut !== undefined && out.length > 0) out = out.subarray(0, m.cut % out.length);
  return concatBytes(out, m.tail);
}

// ---- messages ----------------------------------------------------------------

/** What a decoded message promises the node, whatever the bytes were. */
function assertDecodedShape(cmd: string, m: Message): void {
  assert.equal(m.command, cmd);
  const is32 = (h: Uint8Array | null): boolean => h === null || h.length === 32;
  switch (m.command) {
    case 'version':
      assert.ok(m.version.genesis.length === 32 && m.version.listenPort <= 65535 && m.version.userAgent.length <= 256 && m.version.work < 1n << 256n);
      break;
    case 'addr':
      assert.ok(m.addresses.length <= MAX_ADDRS);
      for (const a of m.addresses) assert.ok(a.host.length >= 1 && a.host.length <= 255 && a.port >= 1 && a.port <= 65535);
      break;
    case 'getblocks':
      assert.ok(m.locator.length <= MAX_LOCATOR_HASHES && m.locator.every(is32) && is32(m.stop));
      break;
    case 'inv': case 'getdata': case 'notfound':
      assert.ok(m.items.length <= MAX_INV_ITEMS && m.items.every((i) => (i.kind === 'block' || i.kind === 'tx') && i.hash.length === 32));
      break;
    case 'block': assert.ok(m.block.length > 0); break;
    case 'tx': assert.ok(m.tx.length > 0); break;
    case 'ping': case 'pong': assert.ok(typeof m.nonce === 'bigint' && m.nonce >= 0n && m.nonce < 1n << 64n); break;
    case 'reject': assert.ok(is32(m.hash)); break;
    default: break;
  }
}

const anyCommand = fc.constantFrom(...COMMANDS);

test('decodeMessage on arbitrary payloads: a well-formed message or a typed error, for every command', () => {
  fc.assert(fc.property(anyCommand, bytes(600), (cmd, payload) => {
    const m = attempt(() => decodeMessage(cmd, payload));
    if (m !== undefined) assertDecodedShape(cmd, m!);
  }), { numRuns: 3000 });
});

test('decodeMessage on unknown commands returns null whatever the payload', () => {
  const unknown = fc.stringMatching(/^[a-z0-9]{1,12}$/).filter((c) => !(COMMANDS as readonly string[]).includes(c));
  fc.assert(fc.property(unknown, bytes(100), (cmd, payload) => {
    assert.equal(decodeMessage(cmd, payload), null);
  }), { numRuns: 300 });
});

// Protobuf-level hostile values: field sizes and counts the .proto allows but the node must refuse.
const hostilePayload: fc.Arbitrary<[string, Uint8Array]> = fc.oneof(
  fc.record({
    protocol: fc.nat(), userAgent: fc.string({ maxLength: 300 }), bestHeight: fc.nat(), chainWork: bytes(40), genesis: bytes(40),
    listenPort: fc.nat(), nonce: fc.maxSafeNat(), timestamp: fc.maxSafeNat(),
  }).map((v) => ['version', pubchain.Version.encode(v).finish()] as [string, Uint8Array]),
  fc.array(fc.record({ host: fc.string({ maxLength: 300 }), port: fc.nat(), lastSeen: fc.maxSafeNat() }), { maxLength: MAX_ADDRS + 2 })
    .map((addresses) => ['addr', pubchain.Addr.encode({ addresses }).finish()] as [string, Uint8Array]),
  fc.record({ locator: fc.array(bytes(40), { maxLength: MAX_LOCATOR_HASHES + 5 }), stop: bytes(40) })
    .map((g) => ['getblocks', pubchain.GetBlocks.encode(g).finish()] as [string, Uint8Array]),
  fc.tuple(fc.constantFrom('inv', 'getdata', 'notfound'), fc.array(fc.record({ type: fc.integer({ min: -2, max: 5 }), hash: bytes(40) }), { maxLength: 40 }))
    .map(([c, items]) => [c, pubchain.Inventory.encode({ items }).finish()] as [string, Uint8Array]),
  fc.record({ command: fc.string({ maxLength: 20 }), code: fc.string({ maxLength: 80 }), reason: fc.string({ maxLength: 600 }), hash: bytes(40) })
    .map((r) => ['reject', pubchain.Reject.encode(r).finish()] as [string, Uint8Array]),
  bytes(20).map((b) => ['block', pubchain.BlockMsg.encode({ block: b }).finish()] as [string, Uint8Array]),
  bytes(20).map((b) => ['tx', pubchain.TxMsg.encode({ tx: b }).finish()] as [string, Uint8Array]),
);

test('decodeMessage on protobuf with out-of-range sizes, counts and enum values: refused with a typed error or well-formed', () => {
  fc.assert(fc.property(hostilePayload, mutation, fc.boolean(), ([cmd, payload], mut, doMutate) => {
    const m = attempt(() => decodeMessage(cmd, doMutate ? mutate(payload, mut) : payload));
    if (m !== undefined) assertDecodedShape(cmd, m!);
  }), { numRuns: 2000 });
});

test('decodeMessage on mutated valid messages of every command', () => {
  const key = testKey(5);
  const chain = buildChain(null, 3, key);
  const samples: Message[] = [
    { command: 'version', version: { protocol: 1, userAgent: '/x/', bestHeight: 3, work: 12345n, genesis: chain[0]!.hash, listenPort: 8333, nonce: 99n, timestamp: 1n } },
    { command: 'verack' }, { command: 'getaddr' },
    { command: 'addr', addresses: [{ host: '127.0.0.1', port: 8000, lastSeen: 5n }] },
    { command: 'getblocks', locator: chain.map((b) => b.hash), stop: chain[1]!.hash },
    { command: 'inv', items: chain.map((b) => ({ kind: 'block' as const, hash: b.hash })) },
    { command: 'getdata', items: [{ kind: 'tx', hash: chain[0]!.hash }] },
    { command: 'notfound', items: [{ kind: 'block', hash: chain[2]!.hash }] },
    { command: 'block', block: serializeBlock(chain[1]!.block) },
    { command: 'tx', tx: serializeTx(signedTx([chain[0]!.reward], [{ value: 1, pubKeyHash: key.pkh }])) },
    { command: 'ping', nonce: 7n }, { command: 'pong', nonce: 8n },
    { command: 'reject', rejected: 'tx', code: 'bad', reason: 'why', hash: chain[0]!.hash },
  ];
  fc.assert(fc.property(fc.constantFrom(...samples), mutation, (m, mut) => {
    const got = attempt(() => decodeMessage(m.command, mutate(encodeMessage(m), mut)));
    if (got !== undefined) assertDecodedShape(m.command, got!);
  }), { numRuns: 3000 });
});

// ---- frames ------------------------------------------------------------------

const MAX_PAYLOAD = maxPayloadFor(REGTEST);

test('FrameParser.push on arbitrary chunks (with and without the magic) throws nothing but FrameError', () => {
  const chunk = fc.oneof(bytes(120), bytes(60).map((b) => concatBytes(REGTEST.magic, b)));
  fc.assert(fc.property(fc.array(chunk, { maxLength: 12 }), (chunks) => {
    const p = new FrameParser(REGTEST.magic, MAX_PAYLOAD);
    for (const c of chunks) {
      try {
        p.push(c);
      } catch (e) {
        assert.ok(e instanceof FrameError, `untyped error from push: ${(e as Error).name}: ${(e as Error).message}`);
        return; // the peer closes the connection here
      }
    }
  }), { numRuns: 3000 });
});

test('FrameParser returns the same frames however the stream is cut, and a bad checksum costs only its own frame', () => {
  const name = fc.oneof(anyCommand, fc.stringMatching(/^[a-z0-9]{1,12}$/));
  const framesArb = fc.array(fc.record({ command: name, payload: bytes(200), corrupt: fc.boolean() }), { minLength: 1, maxLength: 8 });
  fc.assert(fc.property(framesArb, fc.array(fc.nat(), { maxLength: 10 }), (frames, cutsRaw) => {
    const encoded = frames.map((f) => {
      const e = Uint8Array.from(encodeFrame(REGTEST.magic, f.command, f.payload));
      if (f.corrupt) e[20] ^= 0xff;
      return e;
    });
    const stream = concatBytes(...encoded);
    const cuts = [...new Set(cutsRaw.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    const p = new FrameParser(REGTEST.magic, MAX_PAYLOAD);
    const got: ParsedItem[] = [];
    let at = 0;
    for (const c of [...cuts, stream.length]) {
      got.push(...p.push(stream.subarray(at, c)));
      at = c;
    }
    assert.equal(got.length, frames.length);
    got.forEach((item, i) => {
      if (frames[i]!.corrupt) assert.deepEqual(item, { badChecksum: frames[i]!.command });
      else assert.ok('frame' in item && item.frame.command === frames[i]!.command && Buffer.compare(item.frame.payload, frames[i]!.payload) === 0);
    });
  }), { numRuns: 1500 });
});

// ---- canonical parsers -------------------------------------------------------

const key = testKey(11);
const other = testKey(12);
const chain = buildChain(null, 4, key);
const spend = signedTx([chain[0]!.reward, chain[1]!.reward], [{ value: 30e8, pubKeyHash: other.pkh }, { value: 19e8, pubKeyHash: key.pkh }]);
const richBlock = buildBlock({ parent: chain[3]!, key, txs: [spend] }).block;

test('parseTx and parseBlock: typed errors only, and whatever parses re-serialises to the very same bytes', () => {
  const txBytes = serializeTx(spend);
  const blockBytes = serializeBlock(richBlock);
  fc.assert(fc.property(fc.oneof(bytes(300), mutation.map((m) => mutate(txBytes, m))), (b) => {
    const tx = attempt(() => parseTx(b));
    if (tx) assert.deepEqual(serializeTx(tx), b);
  }), { numRuns: 3000 });
  fc.assert(fc.property(fc.oneof(bytes(600), mutation.map((m) => mutate(blockBytes, m))), (b) => {
    const block = attempt(() => parseBlock(b, REGTEST.maxBlockSize));
    if (block) assert.deepEqual(serializeBlock(block), b);
  }), { numRuns: 3000 });
});

test('parseHeader: 80 bytes parse and re-serialise exactly; any other length is a typed error', () => {
  fc.assert(fc.property(bytes(120), (b) => {
    const h = attempt(() => parseHeader(b));
    assert.equal(h !== undefined, b.length === HEADER_SIZE);
    if (h) assert.deepEqual(serializeHeader(h), b);
  }), { numRuns: 1000 });
});

// ---- rules -------------------------------------------------------------------

const amount = fc.oneof(fc.constantFrom(0, 1, MAX_MONEY, MAX_MONEY + 1, Number.MAX_SAFE_INTEGER), fc.nat({ max: 50e8 }), fc.maxSafeNat());
const pubKey = fc.oneof(fc.constant(key.pub), fc.constant(other.pub), bytes(34), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((x) => concatBytes(Uint8Array.of(2), x)));
const inputArb = fc.record({
  prevTxid: fc.oneof(hash32, fc.constant(NULL_HASH), fc.constantFrom(...chain.map((b) => b.reward.txid))),
  vout: fc.oneof(fc.constantFrom(0, 1, COINBASE_VOUT), fc.nat({ max: 0xffffffff })),
  signature: fc.oneof(bytes(100), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.constant(spend.inputs[0]!.signature)),
  pubKey,
}, { noNullPrototype: true });
const outputArb = fc.record({ value: amount, pubKeyHash: fc.oneof(fc.uint8Array({ minLength: 20, maxLength: 20 }), bytes(24)) }, { noNullPrototype: true });
const txArb: fc.Arbitrary<Tx> = fc.record({
  version: fc.nat({ max: 0xffffffff }),
  inputs: fc.array(inputArb, { maxLength: 4 }),
  outputs: fc.array(outputArb, { maxLength: 4 }),
}, { noNullPrototype: true });
/** Per input: whether its coin exists, whether the spending key owns it, and its value. */
const coinPlan = fc.array(fc.record({ present: fc.nat({ max: 9 }), rightOwner: fc.nat({ max: 9 }), value: amount }), { minLength: 8, maxLength: 8 });
type CoinPlan = Array<{ present: number; rightOwner: number; value: number }>;

/** A UTXO view holding most of the coins the transactions spend, mostly owned by their spenders. */
function viewFor(txs: Tx[], plan: CoinPlan): MapView {
  const v = new MapView();
  let k = 0;
  for (const tx of txs) {
    for (const i of tx.inputs) {
      const p = plan[k++ % plan.length]!;
      if (p.present >= 8 || i.prevTxid.length !== 32) continue;
      v.coins.set(outpointKey(i.prevTxid, i.vout), { value: p.value, pubKeyHash: p.rightOwner < 8 ? hash160(i.pubKey) : other.pkh, height: 1, coinbase: false });
    }
  }
  return v;
}

test('transaction rules (sanity, inputs, signatures) on generated transactions: only ValidationError', (t) => {
  const reached = { sane: 0, inputsOk: 0 };
  fc.assert(fc.property(fc.oneof(txArb, fc.constant(spend)), coinPlan, (tx, plan) => {
    const view = viewFor([tx], plan);
    if (!attempt(() => { checkTxSanity(tx, REGTEST); return true; })) return;
    reached.sane++;
    const r = attempt(() => checkTxInputs(tx, view));
    if (!r) return;
    reached.inputsOk++;
    attempt(() => verifySigChecks(r.sigChecks, verifyFast));
  }), { numRuns: 2000 });
  t.diagnostic(`reached: ${JSON.stringify(reached)}`);
  // Without these the property would only ever exercise the first rule.
  assert.ok(reached.sane >= 200 && reached.inputsOk >= 20, JSON.stringify(reached));
});

const ctxArb = fc.record({
  height: fc.nat({ max: 2_000_000 }),
  expectedBits: fc.oneof(fc.constant(REGTEST.genesisBits), fc.nat({ max: 0xffffffff })),
  medianTimePast: fc.nat({ max: 0xffffffff }),
  now: fc.nat({ max: 0xffffffff }),
});

/** A block of generated transactions behind a coinbase; mostly with the right Merkle root and proof of work, so the deeper rules run. */
const blockArb = fc.record({
  txs: fc.array(txArb, { maxLength: 4 }),
  coinbaseValue: amount,
  coinbaseHeight: fc.nat({ max: 2_000_000 }),
  withCoinbase: fc.boolean(),
  goodRoot: fc.boolean(),
  bits: fc.oneof(fc.constant(REGTEST.genesisBits), fc.constant(REGTEST.genesisBits), fc.nat({ max: 0xffffffff })),
  time: fc.nat({ max: 0xffffffff }),
}).map((g): Block => {
  const cb = createCoinbase(g.coinbaseHeight, [{ value: g.coinbaseValue, pubKeyHash: key.pkh }]);
  const txs = g.withCoinbase ? [cb, ...g.txs] : g.txs.length > 0 ? g.txs : [cb];
  const block: Block = {
    header: { version: 1, prevHash: chain[3]!.hash, merkleRoot: g.goodRoot ? merkleRootJs(txs.map(txid)) : new Uint8Array(32).fill(7), time: g.time, bits: g.bits, nonce: 0 },
    txs,
  };
  return g.bits === REGTEST.genesisBits ? mine(block) : block;
});

test('block rules (sanity, context, connect) on generated blocks: only ValidationError', (t) => {
  const reached = { sane: 0, connected: 0 };
  fc.assert(fc.property(fc.oneof(blockArb, fc.constant(richBlock)), ctxArb, coinPlan, (block, ctx, plan) => {
    const view = viewFor(block.txs.slice(1), plan);
    attempt(() => checkProofOfWork(richBlock.header.prevHash, block.header.bits, REGTEST));
    const sanity = attempt(() => checkBlockSanity(block, REGTEST));
    if (!sanity) return;
    reached.sane++;
    attempt(() => checkBlockContext(block, ctx, REGTEST));
    const r = attempt(() => connectBlockTxs(block, sanity.txids, view, ctx.height, REGTEST));
    if (!r) return;
    reached.connected++;
    attempt(() => verifySigChecks(r.sigChecks, verifyFast));
  }), { numRuns: 1500 });
  t.diagnostic(`reached: ${JSON.stringify(reached)}`);
  assert.ok(reached.sane >= 150 && reached.connected >= 15, JSON.stringify(reached));
});

test('the valid samples pass every rule, so the properties above reach the deep paths', () => {
  const sanity = checkBlockSanity(richBlock, REGTEST);
  const view = new MapView([chain[0]!.reward, chain[1]!.reward]);
  checkBlockContext(richBlock, { height: 5, expectedBits: REGTEST.genesisBits, medianTimePast: richBlock.header.time - 1, now: richBlock.header.time }, REGTEST);
  const r = connectBlockTxs(richBlock, sanity.txids, view, 5, REGTEST);
  verifySigChecks(r.sigChecks, verifyFast);
  assert.equal(r.sigChecks.length, 2);
});
