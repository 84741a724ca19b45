// Every RPC method against real in-process nodes (RocksDB in temp dirs, real
// TCP between them, real HTTP): result shapes on a regtest chain, sends that
// enter the mempool and are relayed, mining them in, and the mempool-spent
// coins a second send must not touch.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serializeBlock } from '../src/core/block.js';
import { hashToHex, hexToHash, toHex } from '../src/core/bytes.js';
import { MAIN } from '../src/core/params.js';
import { workToHex } from '../src/core/pow.js';
import { outpointKey, txid, txSize } from '../src/core/tx.js';
import { encodeAddress } from '../src/crypto/address.js';
import { createLogger } from '../src/node/logger.js';
import type { PubchainNode } from '../src/node/node.js';
import { rpcCall, readCookie, RpcCallError, type Credentials } from '../src/rpc/client.js';
import { rpcContextOf } from '../src/rpc/context.js';
import { startRpcServer, type RpcServer } from '../src/rpc/server.js';
import { runCli } from '../scripts/lib/cliProcess.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';

const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });
const FIXTURE_KEY = testKey(3);
const CHAIN = buildChain(null, 3, FIXTURE_KEY);
const hex = (h: Uint8Array): string => hashToHex(h);

interface Running { dir: string; node: PubchainNode; server: RpcServer; auth: Credentials; cleanup: () => Promise<void>; stopped: boolean }

async function startRunning(tag: string, opts: { chain?: boolean; main?: boolean; onStop?: () => void } = {}): Promise<Running> {
  const t = await tempDir(tag);
  if (opts.chain) await writeChain(t.dir, CHAIN);
  const node = await startTestNode(t.dir, { verifyThreads: 1, ...(opts.main ? { params: MAIN } : {}) });
  const server = await startRpcServer({ node: rpcContextOf(node, { requestStop: opts.onStop ?? (() => undefined) }), port: 0, datadir: t.dir, log });
  return { dir: t.dir, node, server, auth: await readCookie(t.dir), cleanup: t.cleanup, stopped: false };
}

async function shutdown(r: Running | undefined): Promise<void> {
  if (!r) return;
  if (!r.stopped) {
    r.stopped = true;
    await r.server.close();
    await r.node.stop();
  }
  await r.cleanup();
}

/** Resolves with the JSON-RPC error a call fails with (and fails the test if it succeeds). */
async function rpcError(r: Running, method: string, params: unknown[] | Record<string, unknown> = []): Promise<RpcCallError> {
  try {
    const result = await rpcCall(r.server.port, r.auth, method, params);
    assert.fail(`${method} should have failed, returned ${JSON.stringify(result)}`);
  } catch (e) {
    if (!(e instanceof RpcCallError)) throw e;
    return e;
  }
}

let a: Running;
let stopRequests = 0;
const startedAt = Date.now();
const call = <T = any>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> => rpcCall<T>(a.server.port, a.auth, method, params);

before(async () => { a = await startRunning('rpc-a', { chain: true, onStop: () => { stopRequests++; } }); });
after(async () => { await shutdown(a); });

describe('chain reads on a 3-block regtest chain', () => {
  test('getblockcount, getbestblockhash, getblockhash, getdifficulty', async () => {
    assert.equal(await call('getblockcount'), 3);
    assert.equal(await call('getbestblockhash'), hex(CHAIN[2]!.hash));
    assert.deepEqual(await Promise.all([1, 2, 3].map((h) => call('getblockhash', [h]))), CHAIN.map((b) => hex(b.hash)));
    assert.equal(await call('getblockhash', { height: 2 }), hex(CHAIN[1]!.hash));
    assert.equal(await call('getdifficulty'), 1);
  });

  test('getblock at verbosity 0, 1 and 2', async () => {
    const [g, mid, tip] = CHAIN;
    assert.equal(await call('getblock', [hex(mid!.hash), 0]), toHex(serializeBlock(mid!.block)));
    const b = await call('getblock', [hex(g!.hash)]);
    assert.deepEqual(Object.keys(b).sort(), ['bits', 'chainwork', 'confirmations', 'difficulty', 'hash', 'height', 'mediantime', 'merkleroot', 'nTx', 'nextblockhash', 'nonce', 'time', 'tx', 'version'].sort());
    assert.equal(b.hash, hex(g!.hash));
    assert.equal(b.confirmations, 3);
    assert.equal(b.height, 1);
    assert.equal(b.version, 1);
    assert.equal(b.merkleroot, hex(g!.block.header.merkleRoot));
    assert.equal(b.time, g!.time);
    assert.equal(b.mediantime, g!.time);
    assert.equal(b.nonce, g!.block.header.nonce);
    assert.equal(b.bits, '207fffff');
    assert.equal(b.difficulty, 1);
    assert.equal(b.nTx, 1);
    assert.equal(b.nextblockhash, hex(mid!.hash));
    assert.deepEqual(b.tx, [hex(txid(g!.block.txs[0]!))]);
    const t = await call('getblock', { blockhash: hex(tip!.hash), verbosity: 1 });
    assert.equal(t.confirmations, 1);
    assert.equal(t.previousblockhash, hex(mid!.hash));
    assert.equal('nextblockhash' in t, false);
    assert.equal(t.chainwork, workToHex(a.node.chain.tip!.work));
    // Median of the three times: the middle one.
    assert.equal(t.mediantime, mid!.time);
    const full = await call('getblock', [hex(tip!.hash), 2]);
    assert.equal(full.tx.length, 1);
    const cb = full.tx[0];
    assert.equal(cb.txid, t.tx[0]);
    assert.match(cb.vin[0].coinbase, /^[0-9a-f]+$/);
    assert.deepEqual(cb.vout, [{ value: 25, n: 0, address: encodeAddress(FIXTURE_KEY.pkh) }]);
    assert.equal(typeof cb.size, 'number');
    assert.equal((await rpcError(a, 'getblock', ['ab'.repeat(32)])).rpcCode, -32005);
  });

  test('getblockchaininfo', async () => {
    const info = await call('getblockchaininfo');
    assert.deepEqual(info, {
      chain: 'regtest', blocks: 3, bestblockhash: hex(CHAIN[2]!.hash), difficulty: 1, mediantime: CHAIN[1]!.time,
      chainwork: workToHex(a.node.chain.tip!.work), genesis: hex(CHAIN[0]!.hash),
    });
  });

  test('getchain: tip first, limited on request', async () => {
    const all = await call<any[]>('getchain');
    assert.deepEqual(all.map((b) => b.height), [3, 2, 1]);
    assert.equal(all[0].prev, all[1].hash);
    assert.deepEqual(await call('getchain', [2]), all.slice(0, 2));
    assert.equal((await rpcError(a, 'getchain', [0])).rpcCode, -32602);
  });

  test('an empty mempool: getrawmempool and getmempoolinfo', async () => {
    assert.deepEqual(await call('getrawmempool'), []);
    assert.deepEqual(await call('getmempoolinfo'), { size: 0, bytes: 0, maxmempool: 32 * 1024 * 1024 });
  });
});

describe('peers, wallet, sends and mining', () => {
  let b: Running;
  before(async () => { b = await startRunning('rpc-b'); });
  after(async () => { await shutdown(b); });
  const addrs: Record<string, string> = {};

  test('addnode connects to a peer, which adopts our chain; getpeerinfo, getconnectioncount, getnetworkinfo', async () => {
    assert.equal(await call('getconnectioncount'), 0);
    assert.equal(await call('addnode', [`127.0.0.1:${b.node.network.port}`, 'add']), null);
    await eventually('the peer to connect', async () => (await call('getconnectioncount')) === 1);
    await eventually('the peer to sync', () => b.node.chain.tip?.height === 3);
    const [peer] = await call<any[]>('getpeerinfo');
    assert.equal(peer.id, 0);
    assert.equal(peer.addr, `127.0.0.1:${b.node.network.port}`);
    assert.equal(peer.inbound, false);
    assert.equal(peer.startingheight, 0, 'the peer had no chain when it connected');
    assert.equal(peer.version, 1);
    assert.equal(peer.subver, '/pubchain:0.1.0/');
    assert.ok(peer.pingtime === null || typeof peer.pingtime === 'number');
    assert.ok(peer.bytessent > 0 && peer.bytesrecv > 0);
    assert.equal(peer.banscore, 0);
    assert.ok(Math.abs(peer.conntime - Date.now() / 1000) < 60);
    assert.deepEqual(await call('getnetworkinfo'), {
      version: 100, subversion: '/pubchain:0.1.0/', protocolversion: 1, connections: 1,
      localaddresses: [{ address: '127.0.0.1', port: a.node.network.port }],
    });
    const inbound = await rpcCall<any[]>(b.server.port, b.auth, 'getpeerinfo');
    assert.equal(inbound.length, 1);
    assert.equal(inbound[0].inbound, true);
    assert.equal(inbound[0].startingheight, 3);
    for (const bad of [['127.0.0.1', 'add'], ['127.0.0.1:99999', 'add'], ['127.0.0.1:1', 'remove'], ['127.0.0.1:1', 'drop'], [5, 'add']]) {
      assert.equal((await rpcError(a, 'addnode', bad)).rpcCode, -32602, JSON.stringify(bad));
    }
    // "remove" drops the peer and stops reconnecting; "onetry" connects once.
    assert.equal(await call('addnode', [`127.0.0.1:${b.node.network.port}`, 'remove']), null);
    await eventually('the peer to be dropped', async () => (await call('getconnectioncount')) === 0);
    assert.equal(await call('addnode', [`127.0.0.1:${b.node.network.port}`, 'onetry']), null);
    await eventually('the one-shot connection', async () => (await call('getconnectioncount')) === 1);
  });

  test('getnewaddress and listaddresses use the node\'s wallet file', async () => {
    assert.deepEqual(await call('listaddresses'), []);
    addrs.A = await call<string>('getnewaddress');
    addrs.B = await call<string>('getnewaddress');
    addrs.C = await call<string>('getnewaddress');
    assert.deepEqual(await call('listaddresses'), [addrs.A, addrs.B, addrs.C]);
    assert.equal(new Set(Object.values(addrs)).size, 3);
  });

  test('generatetoaddress mines blocks paying the address; getbalance reports them as the CLI does', async () => {
    const hashes = await call<string[]>('generatetoaddress', [2, addrs.A]);
    assert.equal(hashes.length, 2);
    assert.equal(await call('getblockcount'), 5);
    assert.equal(await call('getbestblockhash'), hashes[1]);
    assert.equal(await call('getblockhash', [4]), hashes[0]);
    assert.deepEqual(await call('getbalance', [addrs.A]), { address: addrs.A, balance: '50', units: '5000000000' });
    assert.deepEqual(await call('getbalance', { address: addrs.B }), { address: addrs.B, balance: '0', units: '0' });
    assert.equal((await rpcError(a, 'generatetoaddress', [1001, addrs.A])).rpcCode, -32602);
    const badAddr = await rpcError(a, 'generatetoaddress', [1, 'notAnAddress0']);
    assert.equal(badAddr.rpcCode, -32602);
    assert.equal(badAddr.code, 'bad-address');
    await eventually('the peer to follow', () => b.node.chain.tip?.height === 5);
  });

  test('sendtoaddress enters the mempool and is relayed; a second send spends the change, never a mempool-spent coin', async () => {
    const tx1 = await call<string>('sendtoaddress', [addrs.A, addrs.B, '10']);
    assert.match(tx1, /^[0-9a-f]{64}$/);
    assert.deepEqual(await call('getrawmempool'), [tx1]);
    const pooled1 = a.node.mempool.get(hexToHash(tx1))!;
    assert.deepEqual(await call('getmempoolinfo'), { size: 1, bytes: txSize(pooled1), maxmempool: 32 * 1024 * 1024 });

    // A holds one untouched 25-coin coinbase and 15 in unconfirmed change: 30 needs both.
    const tx2 = await call<string>('sendtoaddress', { fromaddress: addrs.A, toaddress: addrs.B, amount: 30 });
    assert.deepEqual(await call('getrawmempool'), [tx1, tx2]);
    const spent1 = new Set(pooled1.inputs.map((i) => outpointKey(i.prevTxid, i.vout)));
    const pooled2 = a.node.mempool.get(hexToHash(tx2))!;
    for (const i of pooled2.inputs) assert.equal(spent1.has(outpointKey(i.prevTxid, i.vout)), false, 'the second send reuses no input of the first');
    assert.ok(pooled2.inputs.some((i) => hex(i.prevTxid) === tx1), 'the second send spends the first one\'s change');

    const broke = await rpcError(a, 'sendtoaddress', [addrs.A, addrs.B, '11']);
    assert.equal(broke.rpcCode, -32002);
    assert.equal(broke.code, 'insufficient-funds');
    const notMine = await rpcError(a, 'sendtoaddress', [encodeAddress(FIXTURE_KEY.pkh), addrs.B, '1']);
    assert.equal(notMine.rpcCode, -32002);
    assert.equal(notMine.code, 'not-my-address');
    assert.equal((await rpcError(a, 'sendtoaddress', [addrs.A, addrs.B, '0'])).rpcCode, -32602);
    assert.equal((await rpcError(a, 'sendtoaddress', [addrs.A, addrs.B, '1.000000001'])).rpcCode, -32602);

    await eventually('the peer to receive both transactions', () => b.node.mempool.has(hexToHash(tx1)) && b.node.mempool.has(hexToHash(tx2)));

    const [mined] = await call<string[]>('generatetoaddress', [1, addrs.A]);
    const block = await call('getblock', [mined]);
    assert.deepEqual(block.tx.slice(1), [tx1, tx2]);
    assert.deepEqual(await call('getrawmempool'), []);
    // A: 50 - 40 sent + 25 reward.
    assert.equal((await call('getbalance', [addrs.A])).balance, '35');
    assert.equal((await call('getbalance', [addrs.B])).balance, '40');

    const full = await call('getblock', [mined, 2]);
    const spend = full.tx.find((t: any) => t.txid === tx1);
    assert.deepEqual(spend.vin.map((i: any) => i.address), [addrs.A]);
    assert.deepEqual(spend.vout, [{ value: 10, n: 0, address: addrs.B }, { value: 15, n: 1, address: addrs.A }]);
  });

  test('sendmany makes one transaction per recipient; send with mine=true mines them into a block at once', async () => {
    const many = await call<string[]>('sendmany', [addrs.A, { [addrs.B]: '1', [addrs.C]: '2.5' }]);
    assert.equal(many.length, 2);
    assert.deepEqual(await call('getrawmempool'), many);
    const r = await call<{ txids: string[]; block: string }>('send', { from: [addrs.A], to: [addrs.B], amount: ['1'], mine: true });
    assert.equal(r.txids.length, 1);
    assert.equal(await call('getbestblockhash'), r.block);
    const block = await call('getblock', [r.block]);
    assert.deepEqual(block.tx.slice(1), [...many, ...r.txids]);
    assert.deepEqual(await call('getrawmempool'), []);
    // A: 35 - 3.5 - 1 + 25 reward (to the first sender).
    assert.deepEqual((await Promise.all([addrs.A, addrs.B, addrs.C].map((x) => call('getbalance', [x])))).map((x) => x.balance), ['55.5', '42', '2.5']);
    const plain = await call<{ txids: string[]; block: null }>('send', [addrs.B, [addrs.A, addrs.C], ['1', '2']]);
    assert.equal(plain.block, null);
    assert.deepEqual(await call('getrawmempool'), plain.txids);

    assert.equal((await rpcError(a, 'send', { from: [addrs.A], to: [addrs.B, addrs.C], amount: ['1', '2', '3'] })).rpcCode, -32602);
    assert.equal((await rpcError(a, 'send', { from: [], to: [addrs.B], amount: ['1'] })).rpcCode, -32602);
    assert.equal((await rpcError(a, 'send', { from: [addrs.A], to: [addrs.B], amount: ['1'], mine: 'yes' })).rpcCode, -32602);
    assert.equal((await rpcError(a, 'sendmany', [addrs.A, {}])).rpcCode, -32602);
    assert.equal((await rpcError(a, 'sendmany', [addrs.A, { notAnAddress0: '1' }])).rpcCode, -32602);
  });

  test('concurrent sends from one address queue up instead of picking the same coins', async () => {
    const before = (await call<string[]>('getrawmempool')).length;
    const ids = await Promise.all([1, 2, 3].map((n) => call<string>('sendtoaddress', [addrs.A, addrs.C, String(n)])));
    assert.equal(new Set(ids).size, 3);
    const pool = await call<string[]>('getrawmempool');
    assert.equal(pool.length, before + 3);
    for (const id of ids) assert.ok(pool.includes(id));
    await call('generatetoaddress', [1, addrs.B]);
    assert.equal((await call('getbalance', [addrs.C])).balance, '10.5');
  });

  test('getmininginfo', async () => {
    const info = await call('getmininginfo');
    assert.deepEqual(Object.keys(info).sort(), ['blocks', 'chain', 'difficulty', 'hashespersec', 'mining', 'networkhashps', 'pooledtx'].sort());
    assert.equal(info.blocks, 8);
    assert.equal(info.difficulty, 1);
    assert.equal(info.chain, 'regtest');
    assert.equal(info.mining, false);
    assert.equal(info.hashespersec, 0);
    assert.equal(info.pooledtx, 0);
    // Work over the time the 8 blocks span (fixture times in 2023 to now): small but positive.
    assert.ok(info.networkhashps > 0 && Number.isFinite(info.networkhashps), String(info.networkhashps));
  });
});

describe('node methods', () => {
  test('uptime and help', async () => {
    const up = await call<number>('uptime');
    assert.ok(Number.isInteger(up) && up >= 0 && up <= Math.ceil((Date.now() - startedAt) / 1000), String(up));
    const list = await call<string[]>('help');
    for (const m of ['getblockcount', 'getbestblockhash', 'getblockhash height', 'getblock blockhash [verbosity]', 'getblockchaininfo', 'getdifficulty',
      'getrawmempool', 'getmempoolinfo', 'getpeerinfo', 'getconnectioncount', 'addnode node command', 'getnetworkinfo', 'getmininginfo',
      'generatetoaddress nblocks address', 'getbalance address', 'getnewaddress [label]', 'listaddresses', 'sendtoaddress fromaddress toaddress amount',
      'sendmany fromaddress amounts', 'send from to amount [mine] [fee]', 'getchain [limit]', 'stop', 'uptime', 'help [method]']) {
      assert.ok(list.includes(m), `help lists "${m}"`);
    }
    assert.match(await call<string>('help', ['getblock']), /^getblock blockhash \[verbosity\]\n.+/);
    assert.equal((await rpcError(a, 'help', ['nosuch'])).rpcCode, -32601);
  });

  test('stop answers, then asks the node to stop', async () => {
    assert.equal(await call('stop'), 'pubchain stopping');
    await eventually('the stop request', () => stopRequests === 1);
  });
});

describe('a main-network node without a chain', () => {
  let m: Running;
  before(async () => { m = await startRunning('rpc-main', { main: true }); });
  after(async () => { await shutdown(m); });

  test('reads say there is no chain; generatetoaddress is refused off regtest', async () => {
    assert.equal(await rpcCall(m.server.port, m.auth, 'getblockcount'), 0);
    const info = await rpcCall<any>(m.server.port, m.auth, 'getblockchaininfo');
    assert.equal(info.chain, 'main');
    assert.equal(info.blocks, 0);
    assert.equal(info.bestblockhash, null);
    assert.equal(info.genesis, null);
    for (const [method, params] of [['getbestblockhash', []], ['getchain', []], ['getblockhash', [1]], ['getbalance', [encodeAddress(FIXTURE_KEY.pkh)]]] as const) {
      const e = await rpcError(m, method, [...params]);
      assert.equal(e.rpcCode, -32003, method);
      assert.equal(e.code, 'no-chain');
    }
    const addr = await rpcCall<string>(m.server.port, m.auth, 'getnewaddress');
    assert.equal((await rpcError(m, 'generatetoaddress', [1, addr])).rpcCode, -32004);
    assert.equal((await rpcCall<any>(m.server.port, m.auth, 'getmininginfo')).networkhashps, 0);
    // The easiest main-network target is 0xffff·2^224; the genesis bits 0x1e100000 are 2^236.
    assert.equal(await rpcCall(m.server.port, m.auth, 'getdifficulty'), 65535 / 4096);
  });
});

describe('a node running its miner', () => {
  let m: Running;
  before(async () => {
    const t = await tempDir('rpc-miner');
    await writeChain(t.dir, CHAIN);
    const node = await startTestNode(t.dir, { verifyThreads: 1, minerPubKeyHash: FIXTURE_KEY.pkh, mineAlways: true });
    const server = await startRpcServer({ node: rpcContextOf(node, { requestStop: () => undefined }), port: 0, datadir: t.dir, log });
    m = { dir: t.dir, node, server, auth: await readCookie(t.dir), cleanup: t.cleanup, stopped: false };
  });
  after(async () => { await shutdown(m); });

  test('getmininginfo reports the miner searching and its hash rate', async () => {
    await eventually('a block from the miner', () => (m.node.miner?.blocksFound ?? 0) >= 1);
    const info = await rpcCall<any>(m.server.port, m.auth, 'getmininginfo');
    assert.equal(info.mining, true);
    assert.ok(info.hashespersec > 0, String(info.hashespersec));
    assert.ok(info.blocks > 3);
  });
});

test('getchain returns what `printchain --json` prints for the same chain', async () => {
  const viaRpc = await call('getchain');
  assert.equal(viaRpc.length, 8);
  await a.server.close();
  await a.node.stop();
  a.stopped = true;
  const cli = await runCli(['printchain', '--json', '--datadir', a.dir, '--network', 'regtest'], { timeoutMs: 30_000 });
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout), viaRpc);
});
