// Exact 64-bit wire integers and tolerant command names. Every uint64 field of
// proto/pubchain.proto is found by reflection, so a field added later is covered
// here without touching this file; then a real TCP peer echoes a full 64-bit nonce.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import Long from 'long';
import protobuf from 'protobufjs';
import { REGTEST } from '../src/core/params.js';
import { encodeFrame } from '../src/p2p/frame.js';
import { FrameParser } from '../src/p2p/frameParser.js';
import { COMMANDS, decodeMessage, encodeMessage, fromUint64, PAYLOAD_TYPES, toUint64, type Command, type Message } from '../src/p2p/messages.js';
import { closed, GENESIS_A, makeManager, rawSocket } from './helpers/p2pHarness.js';
import { eventually } from './helpers/eventually.js';

const PROTO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'proto', 'pubchain.proto');
const root = protobuf.loadSync(PROTO);
const U64_MAX = (1n << 64n) - 1n;
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, 1n, 0xfedcba9876543210n, U64_MAX, 1n << 53n, (1n << 53n) + 1n, 0xffffffffn, 1n << 32n));

const H = new Uint8Array(32).fill(7);
/** One valid message per command; repeated fields hold at least one element, so every nested field is reachable. */
const SAMPLES: Record<Command, Message> = {
  version: { command: 'version', version: { protocol: 1, userAgent: '/x/', bestHeight: 3, work: 5n, genesis: H, listenPort: 8333, nonce: 1n, timestamp: 2n, services: 1n } },
  verack: { command: 'verack' }, getaddr: { command: 'getaddr' },
  addr: { command: 'addr', addresses: [{ host: '127.0.0.1', port: 8000, lastSeen: 3n }] },
  getblocks: { command: 'getblocks', locator: [H], stop: null },
  getheaders: { command: 'getheaders', locator: [H], stop: H },
  headers: { command: 'headers', headers: [{ version: 1, prevHash: H, merkleRoot: H, time: 9, bits: 0x207fffff, nonce: 3 }] },
  inv: { command: 'inv', items: [{ kind: 'block', hash: H }] }, getdata: { command: 'getdata', items: [{ kind: 'tx', hash: H }] },
  notfound: { command: 'notfound', items: [{ kind: 'block', hash: H }] },
  block: { command: 'block', block: Uint8Array.of(1, 2) }, tx: { command: 'tx', tx: Uint8Array.of(3) },
  ping: { command: 'ping', nonce: 4n }, pong: { command: 'pong', nonce: 5n },
  reject: { command: 'reject', rejected: 'tx', code: 'c', reason: 'r', hash: null },
  getcfilters: { command: 'getcfilters', filterType: 0, startHeight: 1, stopHash: H },
  getcfheaders: { command: 'getcfheaders', filterType: 0, startHeight: 1, stopHash: H },
  cfilter: { command: 'cfilter', filterType: 0, blockHash: H, filter: Uint8Array.of(0) },
  cfheaders: { command: 'cfheaders', filterType: 0, stopHash: H, previousHeader: H, filterHashes: [H] },
  getcfcheckpt: { command: 'getcfcheckpt', filterType: 0, stopHash: H },
  cfcheckpt: { command: 'cfcheckpt', filterType: 0, stopHash: H, headers: [H] },
};

type Path = string[];
/** Paths (field names; a repeated message field is entered at index 0) to every uint64 below `type`. */
function uint64Paths(type: protobuf.Type, seen = new Set<protobuf.Type>()): Path[] {
  if (seen.has(type)) return [];
  seen.add(type);
  const out: Path[] = [];
  for (const f of type.fieldsArray) {
    f.resolve();
    if (f.type === 'uint64') out.push([f.name]);
    else if (f.resolvedType instanceof protobuf.Type) for (const p of uint64Paths(f.resolvedType, seen)) out.push([f.name, ...(f.repeated ? ['0'] : []), ...p]);
  }
  seen.delete(type);
  return out;
}

function allTypes(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.flatMap((n) => (n instanceof protobuf.Type ? [n, ...allTypes(n)] : n instanceof protobuf.Namespace ? allTypes(n) : []));
}

const getAt = (o: any, path: Path): any => path.reduce((x, k) => x[k], o);
function setAt(o: any, path: Path, v: unknown): void {
  getAt(o, path.slice(0, -1))[path[path.length - 1]!] = v;
}

test('the .proto has uint64 fields and every one sits under some command\'s payload', () => {
  const declared = allTypes(root).flatMap((t) => t.fieldsArray.filter((f) => f.type === 'uint64').map((f) => `${t.name}.${f.name}`));
  assert.ok(declared.length >= 4, `uint64 fields found: ${declared.join(', ')}`);
  const reachable = new Set<string>();
  for (const c of COMMANDS) {
    const t = root.lookupType(`pubchain.${PAYLOAD_TYPES[c]}`);
    for (const p of uint64Paths(t)) {
      const names = p.filter((k) => k !== '0');
      let type = t;
      for (const k of names.slice(0, -1)) type = type.fields[k]!.resolvedType as protobuf.Type;
      reachable.add(`${type.name}.${names[names.length - 1]}`);
    }
  }
  assert.deepEqual([...reachable].sort(), [...new Set(declared)].sort());
});

test('property: every uint64 field of every command round-trips exactly through decodeMessage and encodeMessage', () => {
  const cases = COMMANDS.flatMap((c) => uint64Paths(root.lookupType(`pubchain.${PAYLOAD_TYPES[c]}`)).map((p) => ({ c, p })));
  assert.ok(cases.length >= 5, 'version nonce and timestamp, addr last_seen, ping and pong nonce');
  for (const { c, p } of cases) {
    const type = root.lookupType(`pubchain.${PAYLOAD_TYPES[c]}`);
    fc.assert(fc.property(u64, (x) => {
      const wire = type.decode(encodeMessage(SAMPLES[c]));
      setAt(wire, p, Long.fromString(x.toString(), true));
      const m = decodeMessage(c, type.encode(wire).finish());
      assert.ok(m, `${c} decodes`);
      const echoed = type.decode(encodeMessage(m!));
      assert.equal(BigInt(getAt(echoed, p).toString()), x, `${c} ${p.join('.')} = ${x}`);
    }), { numRuns: 300 });
  }
});

test('property: toUint64 and fromUint64 are exact inverses over 0..2^64-1; outside it is a RangeError', () => {
  fc.assert(fc.property(u64, (x) => assert.equal(fromUint64(toUint64(x)), x)), { numRuns: 2000 });
  assert.throws(() => toUint64(-1n), RangeError);
  assert.throws(() => toUint64(1n << 64n), RangeError);
});

const frame = (command: string, payload: Uint8Array): Uint8Array => encodeFrame(REGTEST.magic, command, payload);

/** Every message a raw socket receives, decoded, in order. */
function collector(s: import('node:net').Socket): Message[] {
  const parser = new FrameParser(REGTEST.magic, 4 * 1024 * 1024);
  const got: Message[] = [];
  s.on('data', (d: Buffer) => {
    for (const it of parser.push(new Uint8Array(d))) if ('frame' in it) { const m = decodeMessage(it.frame.command, it.frame.payload); if (m) got.push(m); }
  });
  return got;
}

test('over TCP: a ping with nonce 0xfedcba9876543210 gets a pong with exactly that nonce; addrv2 and unknown commands are ignored without ban score', async () => {
  const a = makeManager(GENESIS_A);
  try {
    const port = await a.listen('127.0.0.1', 0);
    const s = await rawSocket(port);
    const got = collector(s);
    await eventually('their version', () => got.some((m) => m.command === 'version'));
    const theirs = got.find((m) => m.command === 'version') as Extract<Message, { command: 'version' }>;
    assert.equal(typeof theirs.version.nonce, 'bigint');
    s.write(frame('version', encodeMessage({ command: 'version', version: { protocol: 1, userAgent: '/raw/', bestHeight: 0, work: 0n, genesis: GENESIS_A, listenPort: 0, nonce: U64_MAX, timestamp: 0xfffffffff0n } })));
    s.write(frame('verack', new Uint8Array(0)));
    await eventually('handshake', () => a.peers().length === 1);
    const peer = a.peers()[0]!;
    assert.equal(peer.remoteVersion!.nonce, U64_MAX);
    assert.equal(peer.remoteVersion!.timestamp, 0xfffffffff0n);
    s.write(frame('sendaddrv2', new Uint8Array(0)));
    s.write(frame('addrv2', Uint8Array.of(1, 2, 3)));
    s.write(frame('wtxidrelay', Uint8Array.of(0xff)));
    s.write(frame('ping', encodeMessage({ command: 'ping', nonce: 0xfedcba9876543210n })));
    await eventually('pong', () => got.some((m) => m.command === 'pong'));
    const pong = got.find((m) => m.command === 'pong') as { command: 'pong'; nonce: bigint };
    assert.equal(pong.nonce, 0xfedcba9876543210n);
    assert.equal(peer.banScore, 0);
    assert.equal(peer.closed, false);
    s.destroy();
    await closed(s);
  } finally {
    await a.close();
  }
});
