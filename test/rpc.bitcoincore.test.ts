// The ecosystem's own client against a running node process: npm bitcoin-core
// (no patch, its own parser) calls every method both implement on a regtest
// node started by the CLI (real RocksDB, real HTTP), and a raw node:http
// request exactly as bitcoin-cli sends it checks the legacy envelope byte for byte.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import BitcoinCore from 'bitcoin-core';
import { cliJson, type NodeDef, type NodeProcess } from './helpers/cliProcess.js';
import { encodeAddress } from '../src/crypto/address.js';
import { testKey } from './helpers/chainFixtures.js';
import { nodeFleet } from './helpers/nodeProcesses.js';
import { EV, eventPattern } from '../src/node/logEvents.js';

const fleet = nodeFleet('rpc-bitcoincore');
let def: NodeDef;
let proc: NodeProcess;
let port: number;
let user: string;
let password: string;
let client: any;
let A: string;
/** An address outside the node's wallet. */
const X = encodeAddress(testKey(9).pkh);

/** The node, started once by the first test (the fleet's own hook makes its directory first). */
let started: Promise<void> | null = null;
const ready = (): Promise<void> => (started ??= start());

async function start(): Promise<void> {
  def = await fleet.def('core');
  A = (await cliJson(def, ['createwallet'])).address as string;
  await cliJson(def, ['createblockchain', '--address', A]);
  proc = fleet.start(def, ['--listen-only', '--rpcservertimeout', '30', '--rpcworkqueue', '16']);
  await proc.waitForLog(eventPattern(EV.nodeReady), 30_000);
  port = JSON.parse(await readFile(join(def.datadir, 'node.json'), 'utf8')).rpcPort;
  [user, password] = (await readFile(join(def.datadir, '.cookie'), 'utf8')).trim().split(':') as [string, string];
  client = new BitcoinCore({ host: `http://127.0.0.1:${port}`, username: user, password, logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } });
}

test('a bitcoin-cli request gets bitcoind\'s legacy envelope: result, error null, id; exactly application/json', async () => {
  await ready();
  const body = '{"method":"getblockcount","params":[],"id":1}';
  const res = await new Promise<{ status: number; type: string | undefined; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent: false, headers: {
      Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, 'Content-Type': 'application/json', 'Content-Length': body.length,
    } }, (r) => {
      let text = '';
      r.on('data', (d) => { text += d; });
      r.on('end', () => resolve({ status: r.statusCode!, type: r.headers['content-type'], text }));
    });
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(res.status, 200);
  assert.equal(res.type, 'application/json');
  assert.equal(res.text, '{"result":1,"error":null,"id":1}\n');
});

test('bitcoin-core reads the chain: getblockchaininfo, getblockcount, getbestblockhash, getblockhash, getblock, getblockheader, getdifficulty', async () => {
  await ready();
  const info = await client.command('getblockchaininfo');
  assert.equal(info.chain, 'regtest');
  assert.equal(info.blocks, 1);
  assert.equal(info.initialblockdownload, false);
  assert.equal(await client.command('getblockcount'), 1);
  const best = await client.command('getbestblockhash');
  assert.equal(await client.command('getblockhash', 1), best);
  const block = await client.command('getblock', best);
  assert.equal(block.hash, best);
  assert.equal(block.height, 1);
  assert.ok(block.size > 0);
  assert.match(await client.command('getblock', best, 0), /^[0-9a-f]+$/);
  assert.equal((await client.command('getblock', best, 2)).tx[0].vout[0].value, 25);
  const header = await client.command('getblockheader', best);
  assert.equal(header.merkleroot, block.merkleroot);
  assert.equal((await client.command('getblockheader', best, false)).length, 160);
  assert.equal(await client.command('getdifficulty'), 1);
});

test('bitcoin-core drives the wallet and the mempool: generatetoaddress, getbalance, sendtoaddress, sendmany, getrawmempool, getmempoolentry, getrawtransaction, gettxout, listunspent, listtransactions', async () => {
  await ready();
  const mined = await client.command('generatetoaddress', 2, A);
  assert.equal(mined.length, 2);
  const start = await client.command('getbalance');
  assert.equal(typeof start, 'number');
  const txid = await client.command('sendtoaddress', X, 1.5);
  assert.match(txid, /^[0-9a-f]{64}$/);
  const many = await client.command('sendmany', '', { [X]: 0.25, [A]: 0.5 });
  // Only what left the wallet counts: 0.5 went to its own address.
  assert.match(many, /^[0-9a-f]{64}$/);
  assert.deepEqual((await client.command('getrawmempool')).sort(), [txid, many].sort());
  const verbose = await client.command('getrawmempool', true);
  assert.deepEqual(Object.keys(verbose).sort(), [txid, many].sort());
  assert.equal((await client.command('getmempoolentry', txid)).vsize, verbose[txid].vsize);
  assert.equal((await client.command('getmempoolinfo')).size, 2);
  const raw = await client.command('getrawtransaction', txid, true);
  assert.equal(raw.txid, txid);
  assert.equal(raw.vout[0].value, 1.5);
  assert.equal(raw.vout[0].scriptPubKey.address, X);
  assert.equal((await client.command('gettxout', txid, 0)).confirmations, 0);
  assert.equal(await client.command('getbalance'), start - 1.5 - 0.25);
  const [block] = await client.command('generatetoaddress', 1, A);
  assert.equal((await client.command('getrawtransaction', txid, false, block)), raw.hex);
  assert.equal((await client.command('gettxout', txid, 0)).confirmations, 1);
  const unspent = await client.command('listunspent');
  assert.ok(unspent.some((u: any) => u.address === A && u.confirmations >= 1));
  const history = await client.command('listtransactions');
  assert.ok(history.some((e: any) => e.category === 'send' && e.txid === txid && e.amount === -1.5));
  // The CLI's per-address balance, as the tutorial has it, through the running node.
  assert.deepEqual(await cliJson(def, ['getbalance', '--address', X]), { address: X, balance: '1.75', units: '175000000' });
});

test('bitcoin-core reads the network, mining and fee estimates: validateaddress, estimatesmartfee, getnetworkhashps, getmininginfo, getnetworkinfo, getpeerinfo, getconnectioncount, uptime', async () => {
  await ready();
  assert.equal((await client.command('validateaddress', A)).isvalid, true);
  assert.equal((await client.command('validateaddress', 'nope')).isvalid, false);
  const fee = await client.command('estimatesmartfee', 6);
  // The block the test before mined paid no fees. (json-bigint's objects have no prototype: compare a copy.)
  assert.deepEqual({ ...fee }, { feerate: 0, blocks: 6 });
  assert.equal(typeof (await client.command('getnetworkhashps')), 'number');
  assert.equal((await client.command('getmininginfo')).blocks, 4);
  assert.equal((await client.command('getnetworkinfo')).connections, 0);
  assert.deepEqual(await client.command('getpeerinfo'), []);
  assert.equal(await client.command('getconnectioncount'), 0);
  assert.ok((await client.command('uptime')) >= 0);
});

test('bitcoin-core gets bitcoind\'s error codes, through HTTP 404 and 500 and inside batches', async () => {
  await ready();
  await assert.rejects(client.command('getblock', '00'.repeat(32)), (e: any) => e.code === -5 && /Block not found/.test(e.message));
  await assert.rejects(client.command('nosuchmethod'), (e: any) => e.code === -32601);
  await assert.rejects(client.command('getblockhash', 99), (e: any) => e.code === -8);
  await assert.rejects(client.command('sendtoaddress', X, 1e6), (e: any) => e.code === -6);
  await assert.rejects(client.command('getblockhash', 'one'), (e: any) => e.code === -3);
  const batch = await client.command([{ method: 'getblockcount' }, { method: 'getblockhash', parameters: [99] }]);
  assert.equal(batch[0], 4);
  assert.equal(batch[1].code, -8);
});
