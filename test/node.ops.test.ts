// What an operator sees of a node process: start-up failures as one line and a
// non-zero exit, with nothing left half-started; Prometheus metrics that agree
// with the RPC; and the ban controls over RPC, in bitcoind's shapes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliJson, freePort, nodeArgs, portIsFree, runCli, type NodeDef } from './helpers/cliProcess.js';
import { findRunningNode, type LiveNode } from '../src/cli/runningNode.js';
import { RpcCallError } from '../src/rpc/client.js';
import { nodeFleet } from './helpers/nodeProcesses.js';
import { EV, eventPattern } from '../src/node/logEvents.js';
import { StratumClient } from './helpers/stratumClient.js';

const fleet = nodeFleet('ops');

async function hold(port: number): Promise<Server> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve()); });
  return s;
}
const release = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

async function startFails(def: NodeDef, extra: string[]): Promise<string> {
  const r = await runCli(['startnode', ...nodeArgs(def), '--port', String(def.port), '--log-format', 'json', '--listen-only', ...extra], { env: { NODE_ID: def.id }, timeoutMs: 30_000 });
  assert.equal(r.code, 1, `exit code 1 (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.ok(!existsSync(join(def.datadir, 'chain')) && !existsSync(join(def.datadir, 'node.json')) && !existsSync(join(def.datadir, '.cookie')), 'nothing was opened or written');
  assert.ok(await portIsFree(def.port), 'the P2P port is free again');
  return lines[0]!;
}

describe('startnode fails loudly, before anything starts', () => {
  test('RPC port in use: exit 1, one line naming --rpc-port', async () => {
    const def = await fleet.def('rpc-busy');
    const busy = await hold(await freePort());
    try {
      const port = (busy.address() as { port: number }).port;
      const line = await startFails(def, ['--rpc-port', String(port)]);
      assert.equal(line, `pubchain: RPC port ${port} is in use (127.0.0.1): choose another with --rpc-port`);
    } finally { await release(busy); }
  });

  test('P2P port in use: exit 1, one line naming --port', async () => {
    const def = await fleet.def('p2p-busy');
    const busy = await hold(def.port);
    try {
      const r = await runCli(['startnode', ...nodeArgs(def), '--port', String(def.port), '--rpc-port', '0', '--log-format', 'json'], { env: { NODE_ID: def.id }, timeoutMs: 30_000 });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `pubchain: P2P port ${def.port} is in use (127.0.0.1): choose another with --port (or NODE_ID)\n`);
      assert.ok(!existsSync(join(def.datadir, 'chain')), 'the database was not opened');
    } finally { await release(busy); }
  });

  test('metrics port in use: exit 1, one line naming --metrics-port; a bad --whitelist names the flag', async () => {
    const def = await fleet.def('metrics-busy');
    const busy = await hold(await freePort());
    try {
      const port = (busy.address() as { port: number }).port;
      const line = await startFails(def, ['--rpc-port', '0', '--metrics-port', String(port)]);
      assert.equal(line, `pubchain: metrics port ${port} is in use (127.0.0.1): choose another with --metrics-port`);
    } finally { await release(busy); }
    const r = await runCli(['startnode', ...nodeArgs(def), '--port', String(def.port), '--whitelist', '10.0.0.0/99'], { env: { NODE_ID: def.id } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pubchain: invalid --whitelist "10\.0\.0\.0\/99"/);
  });
});

/** GET /metrics as {name{labels}: value}. */
function scrape(port: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics', timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        if (res.statusCode !== 200 || !/^text\/plain/.test(String(res.headers['content-type']))) { reject(new Error(`status ${res.statusCode}: ${text}`)); return; }
        const out = new Map<string, number>();
        for (const line of text.split('\n')) {
          const m = /^([a-z_:][a-z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
          if (m) out.set(m[1]!, Number(m[2]));
        }
        resolve(out);
      });
    }).on('error', reject);
  });
}

async function rpcError(live: LiveNode, method: string, params: unknown[]): Promise<{ code: unknown; message: string }> {
  try {
    await live.call(method, params);
  } catch (e) {
    assert.ok(e instanceof RpcCallError, String(e));
    return { code: e.meta.rpcCode, message: e.message };
  }
  throw new Error(`${method} ${JSON.stringify(params)} succeeded`);
}

describe('a running node', () => {
  test('metrics agree with the RPC; setban, listbanned and clearbanned speak bitcoind\'s shapes', async () => {
    const def = await fleet.def('metrics');
    const address = (await cliJson(def, ['createwallet'])).address as string;
    await cliJson(def, ['createblockchain', '--address', address, '--threads', '1']);
    const metricsPort = await freePort();
    const node = fleet.start(def, ['--listen-only', '--threads', '1', '--metrics-port', String(metricsPort)]);
    await node.waitForLog(eventPattern(EV.nodeReady), 30_000);
    const live = (await findRunningNode(def.datadir))!;
    assert.ok(live, 'node.json names the running node');

    const count = await live.call<number>('getblockcount');
    let m = await scrape(metricsPort);
    assert.equal(m.get('pubchain_tip_height'), count);
    assert.equal(m.get('pubchain_peers{direction="in"}'), 0);
    assert.equal(m.get('pubchain_peers{direction="out"}'), 0);
    assert.equal(m.get('pubchain_mempool_transactions'), 0);
    assert.equal(m.get('pubchain_sync_progress'), 1);
    assert.ok((m.get('pubchain_process_resident_memory_bytes') ?? 0) > 0, 'process memory');
    assert.ok((m.get('pubchain_rpc_request_seconds_count{method="getblockcount"}') ?? 0) >= 1, 'the getblockcount call was counted');

    // setban: bad input, add, the same again, remove what is not there.
    assert.deepEqual(await rpcError(live, 'setban', ['not-an-ip', 'add']), { code: -30, message: 'Error: Invalid IP/Subnet' });
    // An unknown command is bitcoind's -1 (its help text as a runtime error).
    assert.equal((await rpcError(live, 'setban', ['10.1.2.3', 'ban'])).code, -1);
    const before = Math.floor(Date.now() / 1000);
    assert.equal(await live.call('setban', ['10.1.2.0/24', 'add', 3600]), null);
    assert.equal(await live.call('setban', ['2001:db8::1', 'add', 2_000_000_000, true]), null);
    assert.deepEqual(await rpcError(live, 'setban', ['10.1.2.0/255.255.255.0', 'add']), { code: -23, message: 'Error: IP/Subnet already banned' });
    assert.equal((await rpcError(live, 'setban', ['10.9.9.9', 'remove'])).code, -30);
    const list = await live.call<Array<Record<string, unknown>>>('listbanned');
    assert.deepEqual(list.map((e) => Object.keys(e).sort()), [0, 1].map(() => ['address', 'ban_created', 'ban_duration', 'banned_until', 'time_remaining']));
    const v4 = list.find((e) => e.address === '10.1.2.0/24')!;
    assert.ok(v4, JSON.stringify(list));
    assert.ok((v4.ban_created as number) >= before && v4.ban_duration === 3600 && v4.banned_until === (v4.ban_created as number) + 3600);
    assert.ok((v4.time_remaining as number) > 3500 && (v4.time_remaining as number) <= 3600);
    const v6 = list.find((e) => e.address === '2001:db8::1/128')!;
    assert.equal(v6.banned_until, 2_000_000_000);
    m = await scrape(metricsPort);
    assert.equal(m.get('pubchain_banned_addresses'), 2);
    assert.equal(m.get('pubchain_bans_total'), 2);
    assert.equal(await live.call('setban', ['10.1.2.0/24', 'remove']), null);
    assert.deepEqual((await live.call<Array<{ address: string }>>('listbanned')).map((e) => e.address), ['2001:db8::1/128']);
    assert.equal(await live.call('clearbanned'), null);
    assert.deepEqual(await live.call('listbanned'), []);

    // A block connected through the RPC moves the tip, the counters and the histogram.
    await live.call('generatetoaddress', [1, address]);
    m = await scrape(metricsPort);
    assert.equal(m.get('pubchain_tip_height'), await live.call<number>('getblockcount'));
    assert.equal(m.get('pubchain_blocks_connected_total'), 1);
    assert.equal(m.get('pubchain_transactions_connected_total'), 1);
    assert.equal(m.get('pubchain_block_connect_seconds_count'), 1);
    await node.stop();
    assert.ok(await portIsFree(metricsPort), 'the metrics port is closed with the node');
  });

  test('the Stratum server\'s connections and shares show in the metrics', async () => {
    const def = await fleet.def('metrics-stratum');
    const address = (await cliJson(def, ['createwallet'])).address as string;
    await cliJson(def, ['createblockchain', '--address', address, '--threads', '1']);
    const [metricsPort, stratumPort] = [await freePort(), await freePort()];
    const node = fleet.start(def, ['--listen-only', '--threads', '1', '--metrics-port', String(metricsPort), '--stratum-port', String(stratumPort)]);
    let miner: StratumClient | null = null;
    try {
      await node.waitForLog(eventPattern(EV.nodeReady), 30_000);
      let m = await scrape(metricsPort);
      assert.equal(m.get('pubchain_stratum_connections'), 0);
      miner = await StratumClient.open(stratumPort);
      await miner.subscribe();
      assert.equal((await miner.request('mining.authorize', [address, 'x'])).result, true);
      // A share for a job that never was: rejected as job-not-found (Stratum's 21).
      const r = await miner.request('mining.submit', [address, 'no-such-job', '00000000', '00000000', '00000000']);
      assert.equal((r.error as unknown[])[0], 21);
      m = await scrape(metricsPort);
      assert.equal(m.get('pubchain_stratum_connections'), 1);
      assert.equal(m.get('pubchain_stratum_shares_total{result="job-not-found"}'), 1);
      assert.equal(m.get('pubchain_stratum_shares_total{result="accepted"}'), 0);
      assert.equal(m.get('pubchain_stratum_blocks_found_total'), 0);
    } finally {
      miner?.close();
      await node.stop();
    }
  });
});
