// Who gets banned: the ban list's rules on synthetic remote addresses (every
// real test peer is 127.0.0.1, which is never banned), and over real TCP that
// a --connect peer that misbehaves is dropped without a ban, and that a dialling
// node says in one line why its connection ended during the handshake.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import test from 'node:test';
import { REGTEST } from '../src/core/params.js';
import { BanList } from '../src/p2p/banList.js';
import { encodeFrame } from '../src/p2p/frame.js';
import type { P2pLogger } from '../src/p2p/logger.js';
import { encodeMessage } from '../src/p2p/messages.js';
import { formatSubnet, isLocalAddress, parseSubnet } from '../src/p2p/subnet.js';
import { GENESIS_A, makeManager } from './helpers/p2pHarness.js';
import { eventually } from './helpers/eventually.js';

function capture(): { log: P2pLogger; lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> } {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object | string, msg?: string): void => { lines.push({ level, msg: msg ?? String(obj), obj: typeof obj === 'object' ? obj as Record<string, unknown> : {} }); };
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

test('a remote address that misbehaves is banned for the ban time; local ones never are', () => {
  let now = 1_000_000;
  const bans = new BanList(60_000, () => now);
  assert.equal(bans.ban('203.0.113.5', 'bad block'), true);
  assert.equal(bans.isBanned('203.0.113.5'), true);
  assert.equal(bans.isBanned('::ffff:203.0.113.5'), true, 'the same host through a dual-stack listener');
  assert.equal(bans.isBanned('203.0.113.6'), false);
  for (const local of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
    assert.equal(isLocalAddress(local), true, local);
    assert.equal(bans.ban(local), false, `${local} is only disconnected`);
    assert.equal(bans.isBanned(local), false);
  }
  assert.deepEqual(bans.list().map((e) => [e.address, e.reason]), [['203.0.113.5/32', 'bad block']]);
  now += 60_000;
  assert.equal(bans.isBanned('203.0.113.5'), false, 'expired');
  assert.equal(bans.size, 0);
  assert.equal(bans.added, 1);
});

test('--whitelist hosts and subnets are never banned; a malformed one is refused', () => {
  const bans = new BanList();
  bans.allow(['198.51.100.0/24', '2001:db8::7']);
  assert.equal(bans.ban('198.51.100.77'), false);
  assert.equal(bans.ban('::ffff:198.51.100.1'), false);
  assert.equal(bans.ban('2001:db8::7'), false);
  assert.equal(bans.ban('2001:db8::8'), true);
  assert.equal(bans.ban('198.51.101.1'), true);
  assert.throws(() => bans.allow(['example.com']), /invalid --whitelist "example\.com"/);
  assert.throws(() => bans.allow(['10.0.0.0/33']), /invalid --whitelist/);
});

test('setban\'s subnets: add once, match every host inside, remove, clear', () => {
  const bans = new BanList();
  const net = parseSubnet('10.20.0.0/255.255.0.0')!;
  assert.equal(formatSubnet(net), '10.20.0.0/16');
  assert.equal(bans.add(net, Date.now() + 10_000), true);
  assert.equal(bans.add(parseSubnet('10.20.99.1/16')!, Date.now() + 10_000), false, 'the same subnet again');
  assert.equal(bans.isBanned('10.20.200.3'), true);
  assert.equal(bans.isBanned('10.21.0.1'), false);
  assert.equal(bans.add(parseSubnet('fd00::/8')!, Date.now() + 10_000), true);
  assert.equal(bans.isBanned('fd12:3456::1'), true);
  assert.equal(bans.remove(parseSubnet('10.20.0.0/16')!), true);
  assert.equal(bans.remove(parseSubnet('10.20.0.0/16')!), false);
  bans.clear();
  assert.equal(bans.size, 0);
  for (const bad of ['', '1.2.3', '1.2.3.4/', '1.2.3.4/8/8', '::1/129', '1.2.3.4/255.0.255.0', 'host']) assert.equal(parseSubnet(bad), null, bad);
});

test('a --connect peer that misbehaves is dropped, not banned; the dialler logs why its handshakes end', async () => {
  // The "peer": a server that finishes the handshake, then sends garbage until dropped.
  const frame = (c: string, p: Uint8Array): Uint8Array => encodeFrame(REGTEST.magic, c, p);
  let sessions = 0;
  const evil = createServer((s) => {
    sessions++;
    s.on('error', () => undefined);
    s.write(frame('version', encodeMessage({ command: 'version', version: { protocol: 1, userAgent: '/evil/', bestHeight: 0, work: 0n, genesis: GENESIS_A, listenPort: 0, nonce: 5n, timestamp: 0n } })));
    s.write(frame('verack', new Uint8Array(0)));
    const spam = setInterval(() => { if (!s.destroyed) s.write(frame('getblocks', Uint8Array.of(0x0a, 0x03, 1, 2, 3))); }, 20);
    s.on('close', () => clearInterval(spam));
  });
  // A node that refuses everyone: accepts, then closes before any byte.
  const refusing = createServer((s) => s.destroy());
  await Promise.all([evil, refusing].map((srv) => new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))));
  const { log, lines } = capture();
  const a = makeManager(GENESIS_A, { log, retryMs: 50 });
  try {
    a.connect('127.0.0.1', (evil.address() as { port: number }).port);
    await eventually('dropped for misbehaving', () => lines.some((l) => l.msg === 'misbehaving peer disconnected, not banned'), 10_000);
    const drop = lines.find((l) => l.msg === 'misbehaving peer disconnected, not banned')!;
    assert.equal(drop.obj.why, 'a --connect or addnode peer');
    assert.equal(a.bans.size, 0);
    await eventually('reconnected after the drop', () => sessions >= 2, 10_000);

    const refusingPort = (refusing.address() as { port: number }).port;
    a.connect('127.0.0.1', refusingPort);
    await eventually('the refusal is logged', () => lines.some((l) => l.obj.peer === `127.0.0.1:${refusingPort}` && l.level === 'warn'), 10_000);
    const why = lines.find((l) => l.obj.peer === `127.0.0.1:${refusingPort}` && l.level === 'warn')!;
    assert.match(why.msg, /^connection ended during the handshake: connection closed by peer \(the other node refused us: banned there, or full\); will retry$/);
  } finally {
    await a.close();
    await Promise.all([evil, refusing].map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }
});
