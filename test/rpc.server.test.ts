// The RPC server's transport against a real in-process node (RocksDB in a temp
// dir, real HTTP on 127.0.0.1): authentication and the cookie, HTTP methods,
// body limits, every JSON-RPC error class, batches, notifications, a flood of
// concurrent calls and hostile bytes; after all of it the node still answers.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { stat } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { hashToHex } from '../src/core/bytes.js';
import { PubchainError, ValidationError } from '../src/core/errors.js';
import { createLogger } from '../src/node/logger.js';
import type { PubchainNode } from '../src/node/node.js';
import { rpcCall, RpcCallError, rpcRaw, readCookie, type RawOptions } from '../src/rpc/client.js';
import { basicHeader } from '../src/rpc/auth.js';
import { COOKIE_USER, cookiePath, type Credentials } from '../src/rpc/cookie.js';
import { rpcContextOf } from '../src/rpc/context.js';
import { dispatchBody } from '../src/rpc/dispatch.js';
import { startRpcServer, type RpcServer } from '../src/rpc/server.js';
import type { RpcMethod, RpcNodeContext } from '../src/rpc/types.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';

const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });
const CHAIN = buildChain(null, 3, testKey(7));
const BAD_ADDRESS = '1BoatSLRHtKNngkdXEeobR76b53LETtpyX';
const USER: Credentials = { user: 'alice', password: 'correct horse' };

let tmp: { dir: string; cleanup: () => Promise<void> };
let node: PubchainNode;
let ctx: RpcNodeContext;
let server: RpcServer;
let cookie: Credentials;
let stops = 0;

before(async () => {
  tmp = await tempDir('rpc-server');
  await writeChain(tmp.dir, CHAIN);
  node = await startTestNode(tmp.dir, { verifyThreads: 1 });
  ctx = rpcContextOf(node, { requestStop: () => { stops++; } });
  server = await startRpcServer({ node: ctx, port: 0, datadir: tmp.dir, ...USER, log, authFailDelayMs: 5 });
  cookie = await readCookie(tmp.dir);
});

after(async () => {
  await server?.close();
  await node?.stop();
  await tmp?.cleanup();
});

const post = (body: string, auth: Credentials | undefined = cookie) => rpcRaw(server.port, { auth, body });
const postJson = async (body: unknown): Promise<any> => {
  const r = await post(JSON.stringify(body));
  assert.equal(r.status, 200, r.body);
  assert.equal(r.headers['content-type'], 'application/json');
  return JSON.parse(r.body);
};

/** Writes raw bytes on a fresh connection; resolves with all that came back once the server closes it (or after `ms`). */
function rawExchange(bytes: string | Buffer, ms = 5000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => { s.destroy(); resolve({ text, closed: false }); }, ms);
    s.on('data', (d) => { text += d.toString('latin1'); });
    s.on('close', () => { clearTimeout(timer); resolve({ text, closed: true }); });
    s.on('error', (err) => { clearTimeout(timer); if (text) resolve({ text, closed: true }); else reject(err); });
    s.on('connect', () => s.write(bytes));
  });
}

describe('cookie and authentication', () => {
  test('the cookie file holds __cookie__:<64 hex>, is readable by its owner only, and readCookie returns it', async () => {
    assert.equal(cookie.user, COOKIE_USER);
    assert.match(cookie.password, /^[0-9a-f]{64}$/);
    const mode = (await stat(cookiePath(tmp.dir))).mode & 0o777;
    assert.equal(mode, 0o600);
  });

  test('no credentials, a wrong password, a wrong user or a malformed header get 401 with the Basic challenge', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getblockcount' });
    const attempts: RawOptions[] = [
      { body },
      { body, auth: { user: COOKIE_USER, password: cookie.password.slice(0, 63) + (cookie.password.endsWith('0') ? '1' : '0') } },
      { body, auth: { user: 'mallory', password: cookie.password } },
      { body, auth: { user: USER.user, password: `${USER.password}!` } },
      { body, headers: { Authorization: 'Bearer abc' } },
      { body, headers: { Authorization: 'Basic !!!notbase64' } },
      { body, headers: { Authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` } },
    ];
    for (const a of attempts) {
      const r = await rpcRaw(server.port, a);
      assert.equal(r.status, 401, JSON.stringify(a.headers ?? a.auth ?? 'none'));
      assert.equal(r.headers['www-authenticate'], 'Basic realm="pubchain"');
      assert.doesNotMatch(r.body, /jsonrpc/);
    }
  });

  test('the cookie and the configured user/password are both accepted', async () => {
    assert.equal(await rpcCall(server.port, cookie, 'getblockcount'), 3);
    assert.equal(await rpcCall(server.port, USER, 'getblockcount'), 3);
    await assert.rejects(rpcCall(server.port, { user: 'x', password: 'y' }, 'getblockcount'), (e: PubchainError) => e.code === 'rpc-unauthorized');
  });

  test('a second server writes its own cookie and removes it at close; the old one stops working', async () => {
    const other = await tempDir('rpc-cookie');
    try {
      const s2 = await startRpcServer({ node: ctx, port: 0, datadir: other.dir, log });
      const c2 = await readCookie(other.dir);
      assert.notEqual(c2.password, cookie.password);
      assert.equal(await rpcCall(s2.port, c2, 'getblockcount'), 3);
      assert.equal((await rpcRaw(s2.port, { auth: cookie, body: '{}' })).status, 401, 'another node\'s cookie is not accepted');
      await s2.close();
      await assert.rejects(stat(cookiePath(other.dir)), { code: 'ENOENT' });
      await assert.rejects(readCookie(other.dir), (e: PubchainError) => e.code === 'no-cookie');
      await assert.rejects(rpcCall(s2.port, c2, 'getblockcount'), (e: PubchainError) => e.code === 'rpc-unreachable');
    } finally {
      await other.cleanup();
    }
  });

  test('user and password must come together', async () => {
    await assert.rejects(startRpcServer({ node: ctx, port: 0, datadir: tmp.dir, user: 'a', log }), (e: PubchainError) => e.code === 'usage');
    assert.equal((await readCookie(tmp.dir)).password, cookie.password, 'the refused start left the running server\'s cookie alone');
  });
});

describe('HTTP layer', () => {
  test('only POST is served: GET, PUT and HEAD get 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'HEAD', 'DELETE']) {
      const r = await rpcRaw(server.port, { method, auth: cookie });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'POST');
    }
  });

  test('a body of exactly the limit is served; one byte more is 413 and the connection is closed', async () => {
    const call = JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'getblockcount' });
    const limit = 1024 * 1024;
    const atLimit = await post(call + ' '.repeat(limit - call.length));
    assert.equal(atLimit.status, 200);
    assert.equal(JSON.parse(atLimit.body).result, 3);
    const over = await post(call + ' '.repeat(limit - call.length + 1));
    assert.equal(over.status, 413);
    assert.equal(over.headers.connection, 'close');
  });

  test('a declared Content-Length over the limit is refused before the body arrives', async () => {
    const auth = Buffer.from(`${cookie.user}:${cookie.password}`).toString('base64');
    const r = await rawExchange(`POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Length: 50000000\r\n\r\n{"jsonrpc"`);
    assert.match(r.text, /^HTTP\/1\.1 413 /);
    assert.equal(r.closed, true);
  });

  test('a chunked body that grows past the limit is 413 and closed', async () => {
    const auth = Buffer.from(`${cookie.user}:${cookie.password}`).toString('base64');
    const chunk = 'x'.repeat(256 * 1024);
    const chunks = Array.from({ length: 5 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const r = await rawExchange(`POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}`);
    assert.match(r.text, /^HTTP\/1\.1 413 /);
    assert.equal(r.closed, true);
  });

  test('clients that hang up mid-body leave the server answering', async () => {
    const auth = Buffer.from(`${cookie.user}:${cookie.password}`).toString('base64');
    await Promise.all(Array.from({ length: 20 }, () => new Promise<void>((resolve) => {
      const s = connect(server.port, '127.0.0.1');
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.on('connect', () => {
        s.write(`POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Length: 100\r\n\r\n{"jsonrpc":`);
        setTimeout(() => s.destroy(), 20);
      });
    })));
    assert.equal(await rpcCall(server.port, cookie, 'getblockcount'), 3);
  });

  test('bytes that are not HTTP get 400 and a closed connection', async () => {
    const r = await rawExchange('\x00\x01\x02 garbage \r\n\r\n');
    assert.match(r.text, /^HTTP\/1\.1 400 /);
    assert.equal(r.closed, true);
  });
});

/** A raw exchange's status and parsed body, with the content type checked to be exactly bitcoind's. */
const exchange = async (body: unknown): Promise<{ status: number; json: any }> => {
  const r = await post(typeof body === 'string' ? body : JSON.stringify(body));
  assert.equal(r.headers['content-type'], 'application/json', r.body);
  return { status: r.status, json: JSON.parse(r.body) };
};

describe('JSON-RPC errors', () => {
  test('malformed JSON is -32700 in the legacy shape with HTTP 500 and a null id', async () => {
    for (const body of ['{"jsonrpc":"2.0","id":1,"method":', 'not json', '', '\u0000', '42', '"getblockcount"', 'null']) {
      const { status, json } = await exchange(body);
      assert.equal(status, 500, body);
      assert.deepEqual(Object.keys(json), ['result', 'error', 'id']);
      assert.equal(json.result, null);
      assert.equal(json.error.code, -32700, body);
      assert.equal(json.id, null);
    }
  });

  test('requests of the wrong shape are -32600 with HTTP 400, in the version the request got as far as', async () => {
    const cases: Array<[unknown, unknown, boolean]> = [
      [{ jsonrpc: '2.0', id: 1 }, 1, true],
      [{ jsonrpc: '2.0', id: 2, method: 5 }, 2, true],
      [{ jsonrpc: '2.0', id: 3, method: 'getblockcount', params: 'x' }, 3, true],
      [{ jsonrpc: '3.0', id: 4, method: 'getblockcount' }, 4, false],
      [{ jsonrpc: 2, id: 5, method: 'getblockcount' }, 5, false],
      [{ id: 6 }, 6, false],
    ];
    for (const [body, id, v2] of cases) {
      const { status, json } = await exchange(body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(json.error.code, -32600, JSON.stringify(body));
      assert.equal(json.id, id);
      assert.equal(json.jsonrpc, v2 ? '2.0' : undefined);
      assert.equal('result' in json, !v2, 'legacy replies carry result: null, 2.0 ones leave it out');
    }
  });

  test('any JSON value is an id and comes back as it went', async () => {
    for (const id of [{ a: 1 }, [1, 2], true, 'x', 7.5, null]) {
      const { status, json } = await exchange({ id, method: 'getblockcount', params: [] });
      assert.equal(status, 200);
      assert.deepEqual(json, { result: 3, error: null, id });
    }
  });

  test('unknown methods are -32601: HTTP 404 for legacy requests, 200 for 2.0 ones, including names on every JS object', async () => {
    for (const method of ['nosuchmethod', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      const legacy = await exchange({ id: 9, method, params: [] });
      assert.equal(legacy.status, 404, method);
      assert.deepEqual(legacy.json, { result: null, error: { code: -32601, message: 'Method not found' }, id: 9 });
      const v2 = await exchange({ jsonrpc: '2.0', id: 9, method });
      assert.equal(v2.status, 200, method);
      assert.deepEqual(v2.json, { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 9 });
    }
  });

  test('bad params get bitcoind\'s codes: -3 type, -8 value, -5 address or unknown object, -1 arity; legacy ones with HTTP 500', async () => {
    const tip = hashToHex(CHAIN[2]!.hash);
    const cases: Array<[string, unknown, number]> = [
      ['getblockhash', ['1'], -3],
      ['getblockhash', [1.5], -8],
      ['getblockhash', [0], -8],
      ['getblockhash', [4], -8],
      ['getblockhash', [], -1],
      ['getblockhash', [1, 2], -1],
      ['getblock', ['zz'], -8],
      ['getblock', [tip, 3], -8],
      ['getblock', [tip, 'x'], -3],
      ['getblock', ['00'.repeat(32)], -5],
      ['getblock', { blockhash: tip, verbose: true }, -8],
      ['getblockheader', ['00'.repeat(32)], -5],
      ['getblockheader', [tip, 1], -3],
      ['getrawtransaction', ['00'.repeat(32)], -5],
      ['getrawtransaction', ['00'.repeat(32), true, tip], -5],
      ['getrawtransaction', ['00'.repeat(32), true, '11'.repeat(32)], -5],
      ['getrawtransaction', ['abc'], -8],
      ['getrawtransaction', ['00'.repeat(32), 5], -8],
      ['gettxout', ['00'.repeat(32), -1], -8],
      ['gettxout', ['00'.repeat(32), '0'], -3],
      ['getmempoolentry', ['00'.repeat(32)], -5],
      ['getrawmempool', [1], -3],
      ['estimatesmartfee', [0], -8],
      ['estimatesmartfee', [2, 'fast'], -8],
      ['estimatesmartfee', ['2'], -3],
      ['getnetworkhashps', [120, 99], -8],
      ['getnetworkhashps', ['x'], -3],
      ['getaddressbalance', [BAD_ADDRESS], -5],
      ['getaddressbalance', [12], -3],
      ['getbalance', ['x'], -8],
      ['getbalance', ['*', -1], -8],
      ['listunspent', [1, 9, ['nope']], -5],
      ['listunspent', ['1'], -3],
      ['listtransactions', ['*', -1], -8],
      ['listtransactions', ['work'], -8],
      ['validateaddress', [5], -3],
      ['generatetoaddress', [0, 'x'], -8],
      ['sendtoaddress', [BAD_ADDRESS, 1], -5],
      ['sendtoaddress', ['1111111111111111111114oLvT2', '-1'], -3],
      ['sendtoaddress', ['1111111111111111111114oLvT2', true], -3],
      ['sendmany', ['x', { '1111111111111111111114oLvT2': 1 }], -8],
      ['sendmany', ['', { [BAD_ADDRESS]: 1 }], -5],
      ['sendmany', ['', {}], -8],
      ['addnode', ['127.0.0.1:1', 'remove'], -24],
      ['addnode', ['127.0.0.1:1', 'bogus'], -8],
      ['addnode', ['no-port', 'add'], -8],
      ['getblockcount', { nosuch: 1 }, -8],
    ];
    for (const [method, params, code] of cases) {
      const { status, json } = await exchange({ id: 'p', method, params });
      assert.equal(json.error?.code, code, `${method} ${JSON.stringify(params)}: ${JSON.stringify(json)}`);
      assert.equal(status, 500, method);
      assert.equal(json.result, null);
      assert.equal(typeof json.error.message, 'string');
    }
    const bad = await postJson({ jsonrpc: '2.0', id: 1, method: 'getaddressbalance', params: [BAD_ADDRESS] });
    assert.deepEqual(bad.error.data, { code: 'bad-address' });
  });

  test('node errors map by class: insufficient funds -6, a rejected transaction -26, other refusals -1; an internal error is -32603 with no stack', async () => {
    const broke = await postJson({ jsonrpc: '2.0', id: 2, method: 'sendtoaddress', params: ['1111111111111111111114oLvT2', '1'] });
    assert.equal(broke.error.code, -6);
    assert.deepEqual(broke.error.data, { code: 'insufficient-funds' });
    const fromStranger = await postJson({ jsonrpc: '2.0', id: 3, method: 'send', params: ['1111111111111111111114oLvT2', '1111111111111111111114oLvT2', '1'] });
    assert.equal(fromStranger.error.code, -5);
    assert.deepEqual(fromStranger.error.data, { code: 'not-my-address' });

    // The dispatcher's own handling, with a method table holding methods that fail.
    const failing: RpcMethod[] = [
      { name: 'boom', params: [], description: '', run: () => { throw new TypeError('secret detail at /home/x.ts:1'); } },
      { name: 'refuse', params: [], description: '', run: () => { throw new PubchainError('some-rule', 'refused for a reason', { height: 5, block: new Uint8Array(3) }); } },
      { name: 'reject', params: [], description: '', run: () => { throw new ValidationError('txn-mempool-conflict', 'conflicts', 0); } },
    ];
    const methods = new Map(failing.map((m) => [m.name, m]));
    const out = await dispatchBody([{ jsonrpc: '2.0', id: 1, method: 'boom' }, { jsonrpc: '2.0', id: 2, method: 'refuse' }, { id: 3, method: 'reject' }], { ctx, methods, log, maxBatch: 10 });
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, [
      { jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: 1 },
      { jsonrpc: '2.0', error: { code: -1, message: 'refused for a reason', data: { code: 'some-rule', height: 5 } }, id: 2 },
      { result: null, error: { code: -26, message: 'conflicts', data: { code: 'txn-mempool-conflict' } }, id: 3 },
    ]);
    const single = await dispatchBody({ id: 4, method: 'boom' }, { ctx, methods, log, maxBatch: 10 });
    assert.deepEqual(single, { status: 500, body: { result: null, error: { code: -32603, message: 'internal error' }, id: 4 } });
  });

  test('rpcCall turns an error answer into RpcCallError with the code and data', async () => {
    await assert.rejects(rpcCall(server.port, cookie, 'getblockhash', [99]), (e: RpcCallError) => e instanceof RpcCallError && e.rpcCode === -8);
    await assert.rejects(rpcCall(server.port, cookie, 'getaddressbalance', [BAD_ADDRESS]), (e: RpcCallError) => e.code === 'bad-address' && e.rpcCode === -5);
  });
});

describe('batches and notifications', () => {
  test('a batch is HTTP 200 whatever its entries do, each answered in its own version, notifications skipped', async () => {
    const { status, json: r } = await exchange([
      { jsonrpc: '2.0', id: 'a', method: 'getblockcount' },
      { jsonrpc: '2.0', method: 'getblockcount' },
      { jsonrpc: '2.0', id: 'b', method: 'nosuch' },
      42,
      { jsonrpc: '2.0', id: 'c', method: 'getblockhash', params: { height: 1 } },
      { jsonrpc: '1.0', id: 'd', method: 'getblockcount', params: [] },
      { id: 'e', method: 'nosuch', params: [] },
      { method: 'getblockcount', params: [] },
    ]);
    assert.equal(status, 200);
    assert.deepEqual(r, [
      { jsonrpc: '2.0', result: 3, id: 'a' },
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 'b' },
      { result: null, error: { code: -32600, message: 'Invalid Request object' } },
      { jsonrpc: '2.0', result: hashToHex(CHAIN[0]!.hash), id: 'c' },
      { result: 3, error: null, id: 'd' },
      { result: null, error: { code: -32601, message: 'Method not found' }, id: 'e' },
      // A legacy request without an id is no notification: it is answered, without an id.
      { result: 3, error: null },
    ]);
  });

  test('an empty batch is answered with []', async () => {
    const { status, json } = await exchange([]);
    assert.equal(status, 200);
    assert.deepEqual(json, []);
  });

  test('a 2.0 notification runs but gets no answer: 204 with an empty body, for one or a batch of them', async () => {
    const before = (await rpcCall<string[]>(server.port, cookie, 'listaddresses')).length;
    const one = await post(JSON.stringify({ jsonrpc: '2.0', method: 'getnewaddress' }));
    assert.equal(one.status, 204);
    assert.equal(one.body, '');
    const batch = await post(JSON.stringify([{ jsonrpc: '2.0', method: 'getnewaddress' }, { jsonrpc: '2.0', method: 'nosuch' }]));
    assert.equal(batch.status, 204);
    assert.equal(batch.body, '');
    assert.equal((await rpcCall<string[]>(server.port, cookie, 'listaddresses')).length, before + 2);
  });

  test('a batch over the size limit is refused as a whole', async () => {
    const { status, json } = await exchange(Array.from({ length: 1001 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'getblockcount' })));
    assert.equal(status, 400);
    assert.equal(json.error.code, -32600);
  });
});

describe('load', () => {
  test('200 concurrent requests are each answered, or refused with 503 past the work queue; the node answers afterwards', async () => {
    const calls = Array.from({ length: 200 }, (_, i) => post(JSON.stringify({ jsonrpc: '2.0', id: i, method: i % 2 ? 'getblockcount' : 'getbestblockhash' })));
    const answers = await Promise.all(calls);
    let served = 0;
    answers.forEach((r, i) => {
      if (r.status === 503) { assert.match(r.body, /Work queue depth exceeded/); return; }
      assert.equal(r.status, 200);
      served++;
      const body = JSON.parse(r.body);
      assert.equal(body.id, i);
      assert.deepEqual(body.result, i % 2 ? 3 : hashToHex(CHAIN[2]!.hash));
    });
    assert.ok(served >= 20, `at least the work queue's worth was served (${served})`);
    assert.equal(await rpcCall(server.port, cookie, 'getblockcount'), 3);
    const info = await rpcCall<{ blocks: number; bestblockhash: string }>(server.port, cookie, 'getblockchaininfo');
    assert.equal(info.bestblockhash, hashToHex(node.chain.tip!.hash));
    assert.equal(stops, 0, 'nothing along the way asked the node to stop');
  });

  test('past the work queue a request gets 503 at once; the ones admitted are answered', async () => {
    const other = await tempDir('rpc-queue');
    const s = await startRpcServer({ node: ctx, port: 0, datadir: other.dir, log, threads: 1, workQueue: 1 });
    const auth = await readCookie(other.dir);
    let release!: () => void;
    // Wallet sends wait for this job: the first holds the one worker, the second the one queue place.
    const held = ctx.exclusive(() => new Promise<void>((r) => { release = r; }));
    try {
      const send = (id: number) => rpcRaw(s.port, { auth, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'sendtoaddress', params: ['1111111111111111111114oLvT2', 1] }) });
      const first = send(1);
      const second = send(2);
      let refused: Awaited<ReturnType<typeof rpcRaw>> | null = null;
      for (let i = 0; i < 200 && !refused; i++) {
        const probe = await rpcRaw(s.port, { auth, body: JSON.stringify({ id: 3, method: 'getblockcount', params: [] }) });
        if (probe.status === 503) refused = probe;
        else await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(refused, 'a request past the queue was refused');
      assert.equal(refused.body, 'Work queue depth exceeded\n');
      release();
      for (const r of await Promise.all([first, second])) {
        assert.equal(r.status, 200);
        assert.equal(JSON.parse(r.body).error.code, -6, 'each admitted request ran to its own answer');
      }
      assert.equal(await rpcCall(s.port, auth, 'getblockcount'), 3);
    } finally {
      release?.();
      await held;
      await s.close();
      await other.cleanup();
    }
  });

  test('600 slow clients do not lock out a fast one: past the connection cap the longest-idle connection makes room', async () => {
    const other = await tempDir('rpc-slowloris');
    const s = await startRpcServer({ node: ctx, port: 0, datadir: other.dir, log, maxConnections: 100 });
    const auth = await readCookie(other.dir);
    const slow: Array<import('node:net').Socket> = [];
    try {
      await Promise.all(Array.from({ length: 600 }, () => new Promise<void>((resolve) => {
        const sock = connect(s.port, '127.0.0.1');
        slow.push(sock);
        sock.on('error', () => resolve());
        sock.on('close', () => resolve());
        // Half a request, and then nothing: each holds its connection as long as it is let.
        sock.on('connect', () => { sock.write('POST / HTTP/1.1\r\nHost: x\r\n'); resolve(); });
      })));
      const answers = await Promise.all(Array.from({ length: 5 }, () => rpcCall(s.port, auth, 'getblockcount', [], { timeoutMs: 5000 })));
      assert.deepEqual(answers, [3, 3, 3, 3, 3]);
      assert.ok(slow.filter((x) => x.destroyed || x.readableEnded).length >= 400, 'the oldest slow connections were dropped');
    } finally {
      for (const x of slow) x.destroy();
      await s.close();
      await other.cleanup();
    }
  });

  test('an idle keep-alive connection outlives 5 s (bitcoind\'s -rpcservertimeout is 30 s) and serves the next call', async () => {
    const sock = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => { sock.once('connect', () => resolve()); sock.once('error', reject); });
    let got = '';
    sock.on('data', (d) => { got += d.toString('latin1'); });
    const body = JSON.stringify({ method: 'getblockcount', params: [], id: 1 });
    const request = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basicHeader(cookie)}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`;
    const answered = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && (got.match(/"error":null/g) ?? []).length < n; i++) await new Promise((r) => setTimeout(r, 25));
    };
    try {
      sock.write(request);
      await answered(1);
      assert.match(got, /^HTTP\/1\.1 200 OK/);
      assert.match(got, /Keep-Alive: timeout=30/i);
      await new Promise((r) => setTimeout(r, 6000));
      assert.equal(sock.destroyed || sock.readableEnded, false, 'the server kept the idle connection');
      sock.write(request);
      await answered(2);
      assert.equal((got.match(/\{"result":3,"error":null,"id":1\}/g) ?? []).length, 2);
    } finally {
      sock.destroy();
    }
  });

  test('a client that never finishes its headers is disconnected by the headers timeout', async () => {
    const other = await tempDir('rpc-slow');
    const s = await startRpcServer({ node: ctx, port: 0, datadir: other.dir, log, headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    try {
      const result = await new Promise<{ text: string; closed: boolean }>((resolve) => {
        const sock = connect(s.port, '127.0.0.1');
        let text = '';
        const timer = setTimeout(() => { sock.destroy(); resolve({ text, closed: false }); }, 8000);
        sock.on('data', (d) => { text += d.toString(); });
        sock.on('close', () => { clearTimeout(timer); resolve({ text, closed: true }); });
        sock.on('error', () => undefined);
        sock.on('connect', () => sock.write('POST / HTTP/1.1\r\nHost: x\r\n'));
      });
      assert.equal(result.closed, true, 'the slow client was cut off');
      assert.match(result.text, /^HTTP\/1\.1 408 /);
      assert.equal(await rpcCall(s.port, await readCookie(other.dir), 'getblockcount'), 3);
    } finally {
      await s.close();
      await other.cleanup();
    }
  });
});
