// A light wallet (startnode --spv) whose disk fills while it syncs: it stops
// with exit 1 and one line that says so, never loops on a write that cannot
// happen; with space again it resumes from what is on disk and ends with the
// balance the full node says it has.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findRunningNode } from '../src/cli/runningNode.js';
import { EV, eventPattern } from '../src/node/logEvents.js';
import { cliJson, freePort, NodeProcess, type NodeDef } from './helpers/cliProcess.js';
import { eventually } from './helpers/eventually.js';
import { tempDir } from './helpers/tempDir.js';
import { exitOf, mountSmallDisk } from './helpers/smallDisk.js';

let root: { dir: string; cleanup: () => Promise<void> };
before(async () => { root = await tempDir('spv-disk-full'); });
after(async () => { await root.cleanup(); });

async function rpc<T>(def: NodeDef, method: string, params: unknown[] = []): Promise<T> {
  const live = await findRunningNode(def.datadir);
  if (!live) throw new Error(`${def.role}: no running node`);
  return live.call<T>(method, params);
}

test('a light wallet on a full disk stops with one line; with space again it resumes and agrees with the full node', { timeout: 180_000 }, async () => {
  const disk = await mountSmallDisk(root.dir);
  const fullPort = await freePort();
  const full: NodeDef = { role: 'full', id: String(fullPort), port: fullPort, datadir: join(root.dir, 'full'), network: 'regtest' };
  const lightPort = await freePort();
  const light: NodeDef = { role: 'light', id: String(lightPort), port: lightPort, datadir: join(disk.path, 'light'), network: 'regtest' };
  const procs: NodeProcess[] = [];
  try {
    const A = (await cliJson(full, ['createwallet'])).address as string;
    const L = (await cliJson(light, ['createwallet'])).address as string;
    await cliJson(full, ['createblockchain', '--address', A]);
    const fp = NodeProcess.start(full, ['--listen-only']);
    procs.push(fp);
    await fp.waitForLog(eventPattern(EV.nodeReady), 20_000);
    // Blocks paying the light wallet early and late, many blocks between them.
    await rpc(full, 'generatetoaddress', [3, L]);
    for (let i = 0; i < 3; i++) await rpc(full, 'generatetoaddress', [1000, A]);
    await rpc(full, 'generatetoaddress', [2, L]);
    const tip = await rpc<string>(full, 'getbestblockhash');

    // Leave the light wallet room to open its database and sync some way, not all of it.
    await disk.fill(350_000);
    const lp = NodeProcess.start(light, ['--spv', '--connect', `127.0.0.1:${fullPort}`]);
    procs.push(lp);
    assert.equal(await exitOf(lp, 90_000), 1, 'a light wallet that cannot write stops with exit 1');
    const lines = lp.log.filter((l) => /disk is full/.test(l));
    assert.equal(lines.length, 1, `one line says the disk is full: ${lines.map((l) => l.slice(-300)).join('\n')}`);
    assert.ok(!lp.log.some((l) => /light sync round failed/.test(l)), 'it does not retry a write that cannot happen');

    await disk.free();
    const lp2 = NodeProcess.start(light, ['--spv', '--connect', `127.0.0.1:${fullPort}`]);
    procs.push(lp2);
    await lp2.waitForLog(eventPattern(EV.nodeReady), 20_000);
    await eventually('the light wallet reaches the full tip', async () => (await rpc<string>(light, 'getbestblockhash').catch(() => '')) === tip, 60_000, 100);
    const owed = await rpc<{ units: string }>(full, 'getaddressbalance', [L]);
    assert.equal(owed.units, String(5 * 25 * 100_000_000), 'the full node says L earned five block rewards');
    const held = await rpc<number>(light, 'getbalance');
    assert.equal(BigInt(Math.round(held * 1e8)), BigInt(owed.units), 'the light wallet holds what the full node says');
    assert.equal((await lp2.stop()).code, 0);
  } finally {
    for (const p of procs) await p.stop().catch(() => undefined);
    await disk.unmount();
  }
});
