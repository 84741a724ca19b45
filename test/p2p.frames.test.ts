// The frame layer: splitting, coalescing, limits, and that no byte stream can
// make the parser or the message decoder throw anything but their typed errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValidationError } from '../src/core/errors.js';
import { REGTEST } from '../src/core/params.js';
import { checksum, encodeBytesFieldFrame, encodeBytesFieldFrames, encodeFrame, HEADER_BYTES } from '../src/p2p/frame.js';
import { sha256d } from '../src/core/hash.js';
import { FrameError, FrameParser } from '../src/p2p/frameParser.js';
import { COMMANDS, decodeMessage, encodeMessage, MAX_HEADERS, MAX_INV_ITEMS, MAX_LOCATOR_HASHES, soleBytesField } from '../src/p2p/messages.js';
import { pubchain } from '../src/generated/proto.js';

const magic = REGTEST.magic;
const ping = (n: number): Uint8Array => encodeFrame(magic, 'ping', encodeMessage({ command: 'ping', nonce: BigInt(n) }));

test('frame header is magic, NUL-padded command, length LE and checksum', () => {
  const f = ping(7);
  assert.deepEqual(f.subarray(0, 4), magic);
  assert.equal(Buffer.from(f.subarray(4, 16)).toString('latin1'), 'ping\0\0\0\0\0\0\0\0');
  assert.equal(new DataView(f.buffer).getUint32(16, true), f.length - HEADER_BYTES);
});

test('checksums are the first 4 bytes of SHA256d on both hashers (small payloads and large ones), and block/tx frames written directly equal the protobuf ones', () => {
  for (const n of [0, 1, 100, 4095, 4096, 4097, 250_000]) {
    const payload = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
    assert.deepEqual(checksum(payload), sha256d(payload).subarray(0, 4), `${n} bytes`);
  }
  for (const n of [1, 127, 128, 300, 16_383, 16_384, 250_000]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
    assert.deepEqual(encodeBytesFieldFrame(magic, 'block', bytes), encodeFrame(magic, 'block', encodeMessage({ command: 'block', block: bytes })), `block of ${n} bytes`);
    assert.deepEqual(encodeBytesFieldFrame(magic, 'tx', bytes), encodeFrame(magic, 'tx', encodeMessage({ command: 'tx', tx: bytes })), `tx of ${n} bytes`);
  }
});

test('several block frames in one buffer are the single frames back to back', () => {
  const list = [1, 127, 128, 300, 16_384].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + n) & 0xff));
  assert.deepEqual(encodeBytesFieldFrames(magic, 'block', list), new Uint8Array(Buffer.concat(list.map((b) => encodeBytesFieldFrame(magic, 'block', b)))));
  const items = new FrameParser(magic, 100_000).push(encodeBytesFieldFrames(magic, 'block', list));
  assert.deepEqual(items.map((i) => ('frame' in i ? (decodeMessage(i.frame.command, i.frame.payload) as { block: Uint8Array }).block : null)), list);
});

test('block and tx payloads decode alike on the direct path and through protobufjs, whatever field layout a peer sends', () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  const other = Uint8Array.of(9, 9, 9);
  const layouts: Array<[string, Uint8Array]> = [
    ['ours', pubchain.BlockMsg.encode({ block: bytes }).finish()],
    // A repeated field: the last one wins (protobuf's rule), so the direct path must step aside.
    ['repeated', Uint8Array.from([...pubchain.BlockMsg.encode({ block: other }).finish(), ...pubchain.BlockMsg.encode({ block: bytes }).finish()])],
    // An unknown field after it, as a newer peer might add.
    ['unknown field', Uint8Array.from([...pubchain.BlockMsg.encode({ block: bytes }).finish(), 0x10, 0x01])],
    // A length written with a redundant continuation byte (300 = 0xac 0x02, padded to 0xac 0x82 0x00).
    ['padded length', Uint8Array.from([0x0a, 0xac, 0x82, 0x00, ...bytes])],
  ];
  for (const [what, payload] of layouts) {
    const viaProtobuf = new Uint8Array(pubchain.BlockMsg.decode(payload).block);
    assert.deepEqual((decodeMessage('block', payload) as { block: Uint8Array }).block, viaProtobuf, what);
    assert.deepEqual((decodeMessage('tx', payload) as { tx: Uint8Array }).tx, viaProtobuf, what);
  }
  assert.deepEqual(soleBytesField(layouts[0]![1]), bytes);
  for (const [what, payload] of layouts.slice(1)) assert.equal(soleBytesField(payload), null, what);
  assert.equal(soleBytesField(Uint8Array.of(0x0a, 5, 1, 2)), null, 'a length past the end');
  assert.throws(() => decodeMessage('block', Uint8Array.of(0x0a, 0)), (e: unknown) => e instanceof ValidationError && e.code === 'malformed-message');
  assert.throws(() => decodeMessage('block', Uint8Array.of(0x0a, 5, 1, 2)), (e: unknown) => e instanceof ValidationError && e.code === 'malformed-message');
});

test('frames split byte by byte, and several in one chunk, all parse', () => {
  const frames = [ping(1), ping(2), ping(3)];
  const all = Buffer.concat(frames);
  const p1 = new FrameParser(magic, 1000);
  const got: number[] = [];
  for (const b of all) for (const item of p1.push(Uint8Array.of(b))) if ('frame' in item) got.push(decodeMessage('ping', item.frame.payload)!.command === 'ping' ? 1 : 0);
  assert.equal(got.length, 3);
  const p2 = new FrameParser(magic, 1000);
  const items = p2.push(new Uint8Array(all));
  assert.deepEqual(items.map((i) => ('frame' in i ? (decodeMessage('ping', i.frame.payload) as { nonce: bigint }).nonce : -1n)), [1n, 2n, 3n]);
});

test('bad magic and over-limit length are fatal; a bad checksum only drops the frame', () => {
  const bad = ping(1);
  bad[0] ^= 0xff;
  assert.throws(() => new FrameParser(magic, 1000).push(bad), (e: unknown) => e instanceof FrameError && e.code === 'bad-magic');
  const big = encodeFrame(magic, 'block', new Uint8Array(2000));
  assert.throws(() => new FrameParser(magic, 1000).push(big.subarray(0, HEADER_BYTES)), (e: unknown) => e instanceof FrameError && e.code === 'oversized');
  const corrupt = ping(5);
  corrupt[corrupt.length - 1] ^= 1;
  const items = new FrameParser(magic, 1000).push(new Uint8Array(Buffer.concat([corrupt, ping(6)])));
  assert.deepEqual(items.map((i) => ('badChecksum' in i ? 'dropped' : 'ok')), ['dropped', 'ok']);
});

test('inventory and locator limits are enforced when decoding', () => {
  const hash = new Uint8Array(32);
  const inv = (n: number): Uint8Array => pubchain.Inventory.encode({ items: Array.from({ length: n }, () => ({ type: pubchain.InvType.INV_BLOCK, hash })) }).finish();
  assert.equal((decodeMessage('inv', inv(MAX_INV_ITEMS)) as { items: unknown[] }).items.length, MAX_INV_ITEMS);
  assert.throws(() => decodeMessage('inv', inv(MAX_INV_ITEMS + 1)), (e: unknown) => e instanceof ValidationError && e.code === 'malformed-message');
  const loc = (n: number): Uint8Array => pubchain.GetBlocks.encode({ locator: Array.from({ length: n }, () => hash) }).finish();
  assert.equal((decodeMessage('getblocks', loc(MAX_LOCATOR_HASHES)) as { locator: unknown[] }).locator.length, MAX_LOCATOR_HASHES);
  assert.throws(() => decodeMessage('getblocks', loc(MAX_LOCATOR_HASHES + 1)), ValidationError);
  assert.throws(() => decodeMessage('getdata', pubchain.Inventory.encode({ items: [{ type: 2, hash: new Uint8Array(31) }] }).finish()), ValidationError);
  assert.equal(decodeMessage('nosuchcmd', new Uint8Array(3)), null);
  const headers = (n: number, size = 80): Uint8Array => pubchain.Headers.encode({ headers: Array.from({ length: n }, () => new Uint8Array(size)) }).finish();
  assert.equal((decodeMessage('headers', headers(MAX_HEADERS)) as { headers: unknown[] }).headers.length, MAX_HEADERS);
  assert.throws(() => decodeMessage('headers', headers(MAX_HEADERS + 1)), (e: unknown) => e instanceof ValidationError && e.code === 'malformed-message');
  assert.throws(() => decodeMessage('headers', headers(1, 79)), (e: unknown) => e instanceof ValidationError && e.code === 'malformed-message');
  assert.throws(() => decodeMessage('getheaders', pubchain.GetHeaders.encode({ locator: [hash], stop: new Uint8Array(5) }).finish()), ValidationError);
});

test('every message round-trips through encode and decode', () => {
  const h = new Uint8Array(32).fill(3);
  const samples = [
    { command: 'version', version: { protocol: 1, userAgent: '/x/', bestHeight: 9, work: 123456789n, genesis: h, listenPort: 8000, nonce: 42n, timestamp: 1700000000n, services: 1n } },
    { command: 'verack' }, { command: 'getaddr' },
    { command: 'addr', addresses: [{ host: 'localhost', port: 8000, lastSeen: 5n }] },
    { command: 'getblocks', locator: [h, h], stop: null },
    { command: 'getheaders', locator: [h], stop: h },
    { command: 'headers', headers: [{ version: 1, prevHash: h, merkleRoot: h, time: 7, bits: 0x207fffff, nonce: 8 }] },
    { command: 'inv', items: [{ kind: 'tx', hash: h }, { kind: 'block', hash: h }] },
    { command: 'block', block: Uint8Array.of(1, 2, 3) }, { command: 'tx', tx: Uint8Array.of(4) },
    { command: 'ping', nonce: 99n },
    { command: 'reject', rejected: 'tx', code: 'bad', reason: 'why', hash: h },
  ] as const;
  for (const m of samples) assert.deepEqual(decodeMessage(m.command, encodeMessage(m as never)), m);
});

test('property: no byte stream makes the parser or decoder throw an untyped error', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), fc.constantFrom(...COMMANDS), (chunks, command) => {
    const p = new FrameParser(magic, 4096);
    try {
      for (const c of chunks) p.push(c);
    } catch (e) {
      assert.ok(e instanceof FrameError, `parser threw ${(e as Error).message}`);
    }
    for (const c of chunks) {
      try {
        decodeMessage(command, c);
      } catch (e) {
        assert.ok(e instanceof ValidationError, `decoder threw ${(e as Error).message}`);
      }
    }
  }), { numRuns: 2000 });
});

test('property: frames cut at any points parse to the same frames, payloads and dropped checksums as in one piece', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ n: fc.integer({ min: 0, max: 300 }), corrupt: fc.boolean(), command: fc.constantFrom('block', 'tx', 'ping') }), { minLength: 1, maxLength: 8 }),
    fc.array(fc.integer({ min: 0, max: 4000 }), { maxLength: 12 }),
    (specs, cuts) => {
      const frames = specs.map(({ n, corrupt, command }, i) => {
        const f = encodeFrame(magic, command, Uint8Array.from({ length: n }, (_, j) => (i * 31 + j) & 0xff));
        if (corrupt) f[20] ^= 1;
        return f;
      });
      const all = new Uint8Array(Buffer.concat(frames));
      const show = (items: ReturnType<FrameParser['push']>): string[] => items.map((it) => ('frame' in it ? `${it.frame.command}:${Buffer.from(it.frame.payload).toString('hex')}` : `dropped:${it.badChecksum}`));
      const whole = show(new FrameParser(magic, 1000).push(all));
      assert.equal(whole.length, specs.length);
      const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
      const p = new FrameParser(magic, 1000);
      const got: string[] = [];
      let from = 0;
      for (const c of [...at, all.length]) { got.push(...show(p.push(all.subarray(from, c)))); from = c; }
      assert.deepEqual(got, whole);
    },
  ), { numRuns: 500 });
});
