// Peers over real TCP on 127.0.0.1: handshake, many frames on one connection,
// and every way a peer can misbehave ending with that peer, not the node.
import test from 'node:test';
import assert from 'node:assert/strict';
import { REGTEST } from '../src/core/params.js';
import { encodeFrame } from '../src/p2p/frame.js';
import { encodeMessage } from '../src/p2p/messages.js';
import type { Peer } from '../src/p2p/peer.js';
import type { PeerManager } from '../src/p2p/peerManager.js';
import { eventually } from './helpers/eventually.js';
import { closed, GENESIS_A, GENESIS_B, makeManager, rawSocket } from './helpers/p2pHarness.js';

const frame = (command: string, payload: Uint8Array): Uint8Array => encodeFrame(REGTEST.magic, command, payload);
const versionFrame = (genesis: Uint8Array, nonce = 12345n): Uint8Array => frame('version', encodeMessage({
  command: 'version', version: { protocol: 1, userAgent: '/raw/', bestHeight: 0, work: 0n, genesis, listenPort: 0, nonce, timestamp: 0n },
}));

test('two managers handshake and exchange many frames both ways on one connection', async () => {
  const a = makeManager(GENESIS_A);
  const b = makeManager(GENESIS_A);
  try {
    const port = await a.listen('127.0.0.1', 0);
    const got = { a: 0, b: 0 };
    a.on('message', (_p, m) => { if (m.command === 'inv') got.a++; });
    b.on('message', (_p, m) => { if (m.command === 'inv') got.b++; });
    b.connect('127.0.0.1', port);
    await eventually('handshake', () => a.peers().length === 1 && b.peers().length === 1);
    const inv = { command: 'inv' as const, items: [{ kind: 'block' as const, hash: new Uint8Array(32) }] };
    for (let i = 0; i < 200; i++) { a.broadcast(inv); b.broadcast(inv); }
    await eventually('all frames', () => got.a === 200 && got.b === 200);
    assert.equal(a.connectionCount, 1);
  } finally {
    await b.close();
    await a.close();
  }
});

test('a peer on another chain is refused; so is a connection to ourselves', async () => {
  const a = makeManager(GENESIS_A);
  const b = makeManager(GENESIS_B);
  try {
    const port = await a.listen('127.0.0.1', 0);
    const reasons: string[] = [];
    b.on('close', (_p, r) => reasons.push(r));
    b.connect('127.0.0.1', port);
    await eventually('refusal', () => reasons.some((r) => /another chain/.test(r)));
    assert.equal(a.peers().length, 0);
    const selfReasons: string[] = [];
    a.on('close', (_p, r) => selfReasons.push(r));
    a.connect('127.0.0.1', port);
    await eventually('self-connection detected', () => selfReasons.some((r) => /ourselves/.test(r)));
  } finally {
    await b.close();
    await a.close();
  }
});

test('bad magic and an over-limit length disconnect; a bad checksum does not', async () => {
  const a = makeManager(GENESIS_A);
  try {
    const port = await a.listen('127.0.0.1', 0);
    const s1 = await rawSocket(port);
    s1.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await closed(s1);
    const s2 = await rawSocket(port);
    const big = Buffer.from(frame('block', new Uint8Array(8)));
    big.writeUInt32LE(REGTEST.maxBlockSize * 4, 16);
    s2.write(big.subarray(0, 24));
    await closed(s2);
    const s3 = await rawSocket(port);
    const bad = Buffer.from(versionFrame(GENESIS_A));
    bad[bad.length - 1] ^= 0xff;
    s3.write(bad);
    s3.write(versionFrame(GENESIS_A));
    s3.write(frame('verack', new Uint8Array(0)));
    await eventually('handshake after a dropped frame', () => a.peers().length === 1);
    s3.destroy();
  } finally {
    await a.close();
  }
});

test('garbage payloads add ban score; at 100 a local peer is dropped but not banned, and may reconnect', async () => {
  const a = makeManager(GENESIS_A);
  try {
    const port = await a.listen('127.0.0.1', 0);
    const s = await rawSocket(port);
    s.write(versionFrame(GENESIS_A));
    s.write(frame('verack', new Uint8Array(0)));
    await eventually('handshake', () => a.peers().length === 1);
    const peer: Peer = a.peers()[0]!;
    s.write(frame('inv', Uint8Array.of(0x0a, 0xff, 0xff)));
    await eventually('ban score', () => peer.banScore >= 20);
    assert.equal(peer.closed, false);
    for (let i = 0; i < 5; i++) s.write(frame('getblocks', Uint8Array.of(0x0a, 0x03, 1, 2, 3)));
    await closed(s);
    assert.equal(peer.closed, true);
    // 127.0.0.1 is shared by every node on this machine: Bitcoin Core never bans a local address either.
    assert.equal(a.bans.isBanned('127.0.0.1'), false);
    assert.equal(a.bans.size, 0);
    const again = await rawSocket(port);
    again.write(versionFrame(GENESIS_A, 777n));
    again.write(frame('verack', new Uint8Array(0)));
    await eventually('the reconnect is accepted', () => a.peers().length === 1 && a.peers()[0] !== peer);
    again.destroy();
  } finally {
    await a.close();
  }
});

test('a handshake not finished in time disconnects', async () => {
  const a = makeManager(GENESIS_A, { handshakeTimeoutMs: 200 });
  try {
    const port = await a.listen('127.0.0.1', 0);
    const s = await rawSocket(port);
    await closed(s, 5000);
    assert.equal(a.connectionCount, 0);
  } finally {
    await a.close();
  }
});

test('peers learn each other through addr/getaddr: two nodes that only know a third connect to each other', async () => {
  // Each manager advertises the port it listens on, as a node does.
  const listening = (): PeerManager => {
    const m: PeerManager = makeManager(GENESIS_A, {
      localVersion: () => ({ protocol: 1, userAgent: '/test/', bestHeight: 1, work: 1n, genesis: GENESIS_A, listenPort: m.listenPort }),
    });
    return m;
  };
  const hub = listening();
  const b = listening();
  const c = listening();
  try {
    const hubPort = await hub.listen('127.0.0.1', 0);
    await b.listen('127.0.0.1', 0);
    const cPort = await c.listen('127.0.0.1', 0);
    c.connect('127.0.0.1', hubPort);
    await eventually('c connected to the hub', () => hub.peers().length === 1);
    // b asks the hub for addresses on connecting, hears of c, and dials it.
    b.connect('127.0.0.1', hubPort);
    await eventually('b connected to c', () => c.peers().length === 2 && b.peers().length === 2, 10_000);
    assert.ok(b.peers().some((p) => p.id.endsWith(`:${cPort}`)), 'b holds an outbound connection to c');
  } finally {
    await b.close();
    await c.close();
    await hub.close();
  }
});
