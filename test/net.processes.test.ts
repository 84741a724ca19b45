// Multi-node behaviour with every node its own OS process on 127.0.0.1:
// sync of a long chain with a resume, a reorg between two miners, and a
// double spend sent to two nodes. Ports are ephemeral, data dirs temporary,
// every wait bounded, and every process stopped in `finally`.
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliJson, NodeDef, runCli } from './helpers/cliProcess.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { writeChain } from './helpers/nodeHarness.js';
import { nodeFleet } from './helpers/nodeProcesses.js';
import { EV, eventPattern } from '../src/node/logEvents.js';

const fleet = nodeFleet('net');
const nodeDef = fleet.def;
const start = fleet.start;

const addr = (def: NodeDef): string => `127.0.0.1:${def.port}`;
const balance = async (def: NodeDef, a: string): Promise<string> => (await cliJson(def, ['getbalance', '--address', a])).balance;
const tipOf = async (def: NodeDef): Promise<{ height: number; hash: string }> => (await cliJson(def, ['printchain', '--limit', '1']))[0];

describe('nodes as separate processes', () => {
  test('a node syncs 2000 blocks from another; stopped half-way, it resumes from its own tip', { timeout: 120_000 }, async () => {
    const src = await nodeDef('source');
    const dst = await nodeDef('fresh');
    await writeChain(src.datadir, buildChain(null, 2000, testKey(7)));
    const source = start(src, ['--listen-only']);
    await source.waitForLog(eventPattern(EV.listening), 20_000);
    // By host name, as the tutorial's localhost:8000.
    let fresh = start(dst, ['--connect', `localhost:${src.port}`]);
    await fresh.waitForHeight(800, 60_000);
    await fresh.stop();
    const resumeFrom = (await tipOf(dst)).height;
    assert.ok(resumeFrom >= 800, `stored tip ${resumeFrom}`);
    fresh = start(dst, ['--connect', addr(src)]);
    // Its first "new tip" is the stored one: it did not start again from genesis.
    await fresh.waitForLog(eventPattern(EV.chainLoaded), 20_000);
    assert.match(fresh.log.find((l) => eventPattern(EV.chainLoaded).test(l))!, new RegExp(`"height":${resumeFrom}\\b`));
    await fresh.waitForHeight(2000, 60_000);
    await fresh.stop();
    await source.stop();
    assert.deepEqual(await tipOf(dst), await tipOf(src));
  });

  test('two miners on competing chains: everyone ends on the heavier one and the orphaned payment is mined again', { timeout: 120_000 }, async () => {
    const x = await nodeDef('x');
    const y = await nodeDef('y');
    const A = (await cliJson(x, ['createwallet'])).address as string;
    const B = (await cliJson(x, ['createwallet'])).address as string;
    const M = (await cliJson(y, ['createwallet'])).address as string;
    await cliJson(x, ['createblockchain', '--address', A]);
    // Y adopts X's genesis, then the two part ways.
    let px = start(x, ['--listen-only']);
    await px.waitForLog(eventPattern(EV.listening), 20_000);
    let py = start(y, ['--connect', addr(x)]);
    await py.waitForHeight(1, 20_000);
    await py.stop();
    await px.stop();

    // X: a payment of 5 to B, mined alone (height 2).
    await cliJson(x, ['send', '--from', A, '--to', B, '--amount', '5', '--mine']);
    assert.equal(await balance(x, B), '5');
    // Y: a longer chain of empty blocks.
    py = start(y, ['--listen-only', '--miner', M, '--mine-always']);
    await py.waitForHeight(4, 30_000);
    await py.stop();
    const yTip = await tipOf(y);
    assert.ok(yTip.height >= 4);

    // Reconnected: X reorganises onto Y's chain, its payment returns to the mempool, reaches Y and is mined there.
    px = start(x, ['--listen-only']);
    await px.waitForLog(eventPattern(EV.listening), 20_000);
    py = start(y, ['--connect', addr(x), '--miner', M]);
    await py.waitForHeight(yTip.height + 1, 60_000);
    await px.waitForHeight(yTip.height + 1, 30_000);
    await px.waitForLog(eventPattern(EV.reorgReturnedTxs), 10_000);
    await py.stop();
    await px.stop();

    const [tx, ty] = [await tipOf(x), await tipOf(y)];
    assert.deepEqual(tx, ty, 'both nodes end on the same tip');
    for (const node of [x, y]) {
      assert.equal(await balance(node, B), '5', `${node.role}: B's payment survived the reorg`);
      // A lost block 2's reward with X's branch: 25 - 5.
      assert.equal(await balance(node, A), '20', `${node.role}: A`);
    }
  });

  test('a double spend sent to two nodes: at most one spend is ever mined', { timeout: 120_000 }, async () => {
    const c = await nodeDef('central');
    const p = await nodeDef('peer');
    const w1 = await nodeDef('wallet1');
    const w2 = await nodeDef('wallet2');
    const m = await nodeDef('miner');
    const A = (await cliJson(w1, ['createwallet'])).address as string;
    // The same key in a second wallet, which knows nothing of the first one's pending spend.
    await mkdir(w2.datadir, { recursive: true });
    await copyFile(join(w1.datadir, 'wallet.json'), join(w2.datadir, 'wallet.json'));
    const B = (await cliJson(c, ['createwallet'])).address as string;
    const D = (await cliJson(p, ['createwallet'])).address as string;
    const M = (await cliJson(m, ['createwallet'])).address as string;
    await cliJson(c, ['createblockchain', '--address', A]);

    const pc = start(c, ['--listen-only']);
    await pc.waitForLog(eventPattern(EV.listening), 20_000);
    const pp = start(p, ['--connect', addr(c)]);
    await pp.waitForHeight(1, 20_000);
    for (const w of [w1, w2]) {
      const pw = start(w, ['--connect', addr(c)]);
      await pw.waitForHeight(1, 20_000);
      await pw.stop();
    }

    // Both spend A's one coin: to B through the central node, to D through the other node.
    await cliJson(w1, ['send', '--from', A, '--to', B, '--amount', '10', '--connect', addr(c)]);
    const second = await runCli(['send', '--from', A, '--to', D, '--amount', '10', '--connect', addr(p), '--datadir', w2.datadir, '--network', 'regtest', '--json']);
    // Either node may already hold the first spend and refuse the second; both outcomes are fine.
    if (second.code !== 0) assert.match(second.stderr, /conflict|already spent|missing/);

    const pm = start(m, ['--connect', addr(c), '--connect', addr(p), '--miner', M]);
    await pm.waitForHeight(2, 60_000);
    await pc.waitForHeight(2, 30_000);
    await pp.waitForHeight(2, 30_000);
    for (const proc of [pm, pp, pc]) await proc.stop();

    const spent: string[] = [];
    for (const node of [c, p, m]) {
      const b = await balance(node, B);
      const d = await balance(node, D);
      assert.ok((b === '10' && d === '0') || (b === '0' && d === '10'), `${node.role}: B=${b} D=${d}: exactly one spend is mined`);
      spent.push(b === '10' ? 'B' : 'D');
      assert.equal(await balance(node, A), '15');
    }
    assert.equal(new Set(spent).size, 1, 'every node agrees on which spend won');
  });
});
