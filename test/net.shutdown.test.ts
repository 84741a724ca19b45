// Stopping a node: SIGTERM or SIGINT while it syncs or mines ends the process
// by itself, cleanly, and the next start needs no repair. Only a hang breaks
// the bound: NodeProcess.stop escalates to SIGKILL after STOP_GRACE_MS, which
// the assertions would see. After a kill -9, the CLI works on the node's data at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliJson, NodeDef } from './helpers/cliProcess.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { writeChain } from './helpers/nodeHarness.js';
import { nodeFleet } from './helpers/nodeProcesses.js';
import { EV, eventPattern } from '../src/node/logEvents.js';

const fleet = nodeFleet('shutdown');
const def = fleet.def;
const start = fleet.start;
/** Far above a clean shutdown on a loaded machine; only a node that hangs on its way out reaches it. */
const STOP_GRACE_MS = 60_000;

/** The maintained UTXO set equals the one rebuilt from the blocks. */
async function consistent(d: NodeDef): Promise<void> {
  const r = await cliJson(d, ['reindexutxo']);
  assert.equal(r.changed, false, `${d.role}: UTXO set and blocks agree`);
}

describe('shutdown', () => {
  test('SIGTERM during sync and SIGINT during mining exit cleanly by themselves; the data needs no repair', { timeout: 300_000 }, async () => {
    const src = await def('source');
    await writeChain(src.datadir, buildChain(null, 3000, testKey(5)));
    const source = start(src, ['--listen-only']);
    await source.waitForLog(eventPattern(EV.listening), 20_000);

    const dst = await def('syncing');
    const syncing = start(dst, ['--connect', `127.0.0.1:${src.port}`]);
    await syncing.waitForHeight(2, 30_000);
    const t = await syncing.stop(STOP_GRACE_MS, 'SIGTERM');
    assert.deepEqual(t, { code: 0, signal: null }, 'exited by itself with code 0, not killed');
    assert.ok(syncing.log.some((l) => eventPattern(EV.stoppedCleanly).test(l)));
    await consistent(dst);

    const M = (await cliJson(dst, ['createwallet'])).address as string;
    const miner = start(dst, ['--listen-only', '--miner', M, '--mine-always']);
    await miner.waitForLog(eventPattern(EV.minedBlock), 30_000);
    const m = await miner.stop(STOP_GRACE_MS, 'SIGINT');
    assert.deepEqual(m, { code: 0, signal: null });
    await consistent(dst);
    // The next start opens at once at the stored tip; `pubchain stop` (RPC stop) ends it cleanly.
    const again = start(dst, ['--listen-only']);
    await again.waitForLog(eventPattern(EV.nodeReady), 20_000);
    assert.ok(again.log.some((l) => eventPattern(EV.chainLoaded).test(l)));
    const stopped = await cliJson(dst, ['stop']);
    assert.equal(stopped.stopped, true);
    assert.deepEqual(await again.stop(STOP_GRACE_MS), { code: 0, signal: null });
    assert.ok(again.log.some((l) => eventPattern(EV.stoppedCleanly).test(l)));
    await consistent(dst);
    await source.stop();
  });

  test('after kill -9 the CLI opens the node\'s data at once', { timeout: 60_000 }, async () => {
    const d = await def('killed');
    const A = (await cliJson(d, ['createwallet'])).address as string;
    await cliJson(d, ['createblockchain', '--address', A]);
    const node = start(d, ['--listen-only', '--miner', A, '--mine-always']);
    await node.waitForHeight(20, 30_000);
    const k = await node.stop(5000, 'SIGKILL');
    assert.equal(k.signal, 'SIGKILL');
    const height = (await cliJson(d, ['printchain', '--limit', '1']))[0].height as number;
    assert.ok(height >= 20);
    assert.equal((await cliJson(d, ['getbalance', '--address', A])).units, String(height * 25 * 100_000_000));
    await consistent(d);
  });
});
