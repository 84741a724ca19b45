// A light wallet (startnode --spv) and a full node given the SAME wallet, each
// its own OS process: they agree on getbalance and listunspent across a send
// from the light wallet (through its full peer), a send from the full node, a
// reorganisation that removes a payment to the wallet and one that adds one.
// The CLI's routed commands reach the light node as they reach a full one.
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findRunningNode } from '../src/cli/runningNode.js';
import { EV, eventPattern } from '../src/node/logEvents.js';
import { cliJson, NodeDef, runCli, nodeArgs } from './helpers/cliProcess.js';
import { eventually } from './helpers/eventually.js';
import { nodeFleet } from './helpers/nodeProcesses.js';

const fleet = nodeFleet('spvnode');
const addr = (def: NodeDef): string => `127.0.0.1:${def.port}`;

async function rpc<T = any>(def: NodeDef, method: string, params: unknown[] = []): Promise<T> {
  const live = await findRunningNode(def.datadir);
  if (!live) throw new Error(`${def.role}: no running node`);
  return live.call<T>(method, params);
}

interface Unspent { txid: string; vout: number; address: string; amount: number; confirmations: number }
const unspent = async (def: NodeDef): Promise<string[]> =>
  (await rpc<Unspent[]>(def, 'listunspent')).map((u) => `${u.txid}:${u.vout} ${u.address} ${u.amount} conf=${u.confirmations}`).sort();

/** Waits for the light node to reach the full node's tip, then compares what their wallets say. */
async function agree(full: NodeDef, light: NodeDef, step: string): Promise<{ balance: number; utxos: string[] }> {
  const tip = await rpc<string>(full, 'getbestblockhash');
  await eventually(`${step}: the light wallet reaches ${tip}`, async () => (await rpc<string>(light, 'getbestblockhash').catch(() => '')) === tip, 30_000, 100);
  const [fb, lb] = [await rpc<number>(full, 'getbalance'), await rpc<number>(light, 'getbalance')];
  const [fu, lu] = [await unspent(full), await unspent(light)];
  assert.equal(lb, fb, `${step}: getbalance`);
  assert.deepEqual(lu, fu, `${step}: listunspent`);
  assert.equal(await rpc<number>(light, 'getbalance', ['*', 1]), await rpc<number>(full, 'getbalance', ['*', 1]), `${step}: getbalance minconf 1`);
  return { balance: fb, utxos: fu };
}

describe('a light wallet beside a full node with the same wallet', () => {
  test('balances and unspent coins agree across sends and reorganisations', { timeout: 240_000 }, async () => {
    const x = await fleet.def('fullx');
    const y = await fleet.def('fully');
    const l = await fleet.def('light');
    const A = (await cliJson(x, ['createwallet'])).address as string;
    const B = (await cliJson(x, ['createwallet'])).address as string;
    const M = (await cliJson(y, ['createwallet'])).address as string;
    await mkdir(l.datadir, { recursive: true });
    await copyFile(join(x.datadir, 'wallet.json'), join(l.datadir, 'wallet.json'));
    await cliJson(x, ['createblockchain', '--address', A]);

    const px = fleet.start(x, ['--listen-only']);
    await px.waitForLog(eventPattern(EV.nodeReady), 20_000);
    let py = fleet.start(y, ['--connect', addr(x)]);
    await py.waitForLog(eventPattern(EV.nodeReady), 20_000);
    const pl = fleet.start(l, ['--spv', '--connect', addr(x)]);
    await pl.waitForLog(eventPattern(EV.nodeReady), 20_000);
    // Some blocks: rewards to B (the wallet) and to M (another wallet, on Y).
    await rpc(x, 'generatetoaddress', [2, B]);
    await rpc(x, 'generatetoaddress', [2, M]);
    await eventually('Y has the chain', async () => (await rpc<number>(y, 'getblockcount')) === 5, 30_000, 100);
    const start = await agree(x, l, 'initial sync');
    assert.ok(start.balance > 0 && start.utxos.length === 3, 'the genesis reward and two to B');

    // A send from the light wallet goes through its full peer: both see the coins spent and the change unconfirmed.
    const sent = await rpc<string>(l, 'sendtoaddress', [M, 5]);
    await eventually('the full node has the light wallet\'s send', async () => (await rpc<string[]>(x, 'getrawmempool')).includes(sent), 20_000, 100);
    await agree(x, l, 'after the light send, unconfirmed');
    assert.equal(await rpc<number>(l, 'getbalance'), start.balance - 5);
    await rpc(x, 'generatetoaddress', [1, M]);
    await agree(x, l, 'after the light send, mined');

    // A send from the full node's copy of the wallet: the light wallet sees its coins go.
    const fromFull = await rpc<string>(x, 'sendmany', ['', { [M]: 2, [B]: 1 }]);
    await rpc(x, 'generatetoaddress', [1, M]);
    const afterSends = await agree(x, l, 'after the full node\'s send, mined');
    assert.equal(afterSends.balance, start.balance - 5 - 2);
    assert.ok((await unspent(l)).some((u) => u.startsWith(`${fromFull}:`)), 'the full node\'s send made a coin the light wallet lists');
    await eventually('Y has the tip', async () => (await rpc<string>(y, 'getbestblockhash')) === (await rpc<string>(x, 'getbestblockhash')), 30_000, 100);

    // Partition: X mines a block paying the wallet; Y, apart, pays the wallet 7 and mines a longer branch.
    await py.stop();
    py = fleet.start(y, ['--listen-only']);
    await py.waitForLog(eventPattern(EV.nodeReady), 20_000);
    await rpc(x, 'generatetoaddress', [1, A]);
    const withReward = await agree(x, l, 'a block paying the wallet');
    assert.ok(withReward.balance > afterSends.balance);
    const payment = await rpc<string>(y, 'sendtoaddress', [A, 7]);
    await rpc(y, 'generatetoaddress', [2, M]);
    // Joined: X reorganises onto Y's heavier branch; the reward leaves the wallet, the payment of 7 enters it.
    await rpc(x, 'addnode', [addr(y), 'onetry']);
    const yTip = await rpc<string>(y, 'getbestblockhash');
    await eventually('X reorganises onto Y\'s branch', async () => (await rpc<string>(x, 'getbestblockhash')) === yTip, 30_000, 100);
    const afterReorg = await agree(x, l, 'after the reorganisation');
    assert.equal(afterReorg.balance, afterSends.balance + 7, 'the orphaned reward is gone and the payment of 7 is in');
    assert.ok(afterReorg.utxos.some((u) => u.startsWith(`${payment}:`)));

    // The CLI's routed commands reach the light node through node.json, as they reach a full one.
    const viaCli = await cliJson(l, ['getbalance', '--address', A]);
    assert.deepEqual(viaCli, await cliJson(x, ['getbalance', '--address', A]));
    assert.deepEqual((await cliJson(l, ['listaddresses'])).addresses, [A, B]);
    const proof = await rpc<string>(x, 'gettxoutproof', [[payment]]);
    assert.deepEqual((await cliJson(l, ['verifytxoutproof', proof])).txids, [payment]);
    const sendCli = await cliJson(l, ['send', '--from', B, '--to', M, '--amount', '1']);
    assert.equal(sendCli.txids.length, 1);
    await eventually('the CLI send reached the full node', async () => (await rpc<string[]>(x, 'getrawmempool')).includes(sendCli.txids[0]), 20_000, 100);
    await agree(x, l, 'after a CLI send through the light node');
    const stopped = await runCli(['stop', ...nodeArgs(l)], { timeoutMs: 30_000 });
    assert.equal(stopped.code, 0, stopped.stderr);
    await eventually('the light node exits', () => pl.exited, 15_000, 50);
  });

  test('a light node refuses full-node flags and answers what it cannot do with a clear error', { timeout: 60_000 }, async () => {
    const x = await fleet.def('fullz');
    const l = await fleet.def('light2');
    const A = (await cliJson(x, ['createwallet'])).address as string;
    for (const flags of [['--miner', A], ['--stratum-port', '0'], ['--min-txs', '2'], ['--no-blockfilterindex']]) {
      const r = await runCli(['startnode', '--spv', '--connect', '127.0.0.1:1', '--port', String(l.port), ...flags, ...nodeArgs(l)], { timeoutMs: 20_000 });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`${flags[0]} does not go with --spv`));
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
    await cliJson(x, ['createblockchain', '--address', A]);
    const px = fleet.start(x, ['--listen-only']);
    await px.waitForLog(eventPattern(EV.nodeReady), 20_000);
    const pl = fleet.start(l, ['--spv', '--connect', addr(x)]);
    await pl.waitForLog(eventPattern(EV.nodeReady), 20_000);
    await eventually('the light node syncs the genesis', async () => (await rpc<number>(l, 'getblockcount')) === 1, 20_000, 100);
    const info = await rpc<{ blocks: number; headers: number; verificationprogress: number; spv: boolean }>(l, 'getblockchaininfo');
    assert.equal(info.blocks, 1);
    assert.equal(info.headers, 1);
    assert.equal(info.spv, true);
    assert.equal(await rpc(l, 'getblockhash', [1]), await rpc(x, 'getblockhash', [1]));
    assert.equal((await rpc<any[]>(l, 'getpeerinfo')).length, 1);
    const calls: Array<[string, unknown[]]> = [['getblock', ['00'.repeat(32)]], ['getrawmempool', []], ['generatetoaddress', [1, A]], ['listtransactions', []], ['restorewallet', ['abandon']]];
    for (const [method, params] of calls) {
      await assert.rejects(rpc(l, method, params), new RegExp(`${method} is not available on a light wallet \\(--spv\\)`));
    }
    await assert.rejects(rpc(l, 'send', [[A], [A], [1], true]), /mine=true is not available on a light wallet/);
    await assert.rejects(rpc(l, 'nosuchmethod', []), /Method not found/);
  });
});
