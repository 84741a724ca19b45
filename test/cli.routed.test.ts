// The routed fast path (src/cli/routed.ts, bundled into dist/cli-routed.cjs):
// which arguments it takes and which it hands to the full CLI, and, against a
// running node, that it prints exactly what the full CLI prints, without
// loading commander.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseRouted } from '../src/cli/routed.js';
import { readCookie, rpcCall } from '../src/rpc/client.js';
import { EV, eventPattern } from '../src/node/logEvents.js';
import { NodeProcess, freePort, runCli, type CliResult } from './helpers/cliProcess.js';
import { tempDir } from './helpers/tempDir.js';

describe('parseRouted: a routed command, or null for the full CLI', () => {
  const ok = (args: string[]) => {
    const r = parseRouted(args, {});
    assert.ok(r, `routed: ${args.join(' ')}`);
    return r;
  };
  test('takes the routed commands with their own and the global flags, in any order', () => {
    const r = ok(['--datadir', 'd', 'getbalance', '--address', 'A', '--json', '--network', 'regtest']);
    assert.deepEqual(r.globals, { nodeId: undefined, datadir: 'd', network: 'regtest', json: true });
    assert.equal(r.values.address, 'A');
    assert.equal(ok(['getbalance', '--address=A', '--node-id', '3000']).globals.nodeId, '3000');
    assert.equal(ok(['getbalance', '--address', 'A']).globals.network, 'main');
    assert.deepEqual(ok(['verifytxoutproof', 'abcd', '--datadir', 'd']).positionals, ['abcd']);
    assert.deepEqual(ok(['stop', '--datadir', 'd']).positionals, []);
  });
  for (const [why, args, env] of [
    ['another command', ['send', '--from', 'A'], {}],
    ['no command', ['--datadir', 'd'], {}],
    ['help', ['getbalance', '--help'], {}],
    ['a missing required flag', ['getbalance', '--datadir', 'd'], {}],
    ['an unknown flag', ['getbalance', '--address', 'A', '--bogus'], {}],
    ['another command\'s flag', ['stop', '--address', 'A'], {}],
    ['a missing value', ['getbalance', '--address'], {}],
    ['an extra argument', ['getbalance', '--address', 'A', 'extra'], {}],
    ['a missing argument', ['verifytxoutproof'], {}],
    ['a bad network', ['getbalance', '--address', 'A', '--network', 'moon'], {}],
    ['a -- terminator', ['getbalance', '--address', 'A', '--'], {}],
    ['a prototype name', ['constructor'], {}],
    ['a PUBCHAIN_ setting', ['getbalance', '--address', 'A'], { PUBCHAIN_NETWORK: 'regtest' }],
    ['PUBCHAIN_NO_ROUTED', ['getbalance', '--address', 'A'], { PUBCHAIN_NO_ROUTED: '1' }],
  ] as Array<[string, string[], NodeJS.ProcessEnv]>) {
    test(`hands over ${why}`, () => assert.equal(parseRouted(args, env), null));
  }
});

describe('the routed fast path against a running node', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let d: string;
  let A: string;
  let node: NodeProcess | null = null;
  let hook: string;
  const FULL = { PUBCHAIN_NO_ROUTED: '1' };
  /** The CLI with a preload that says, at exit, whether commander was loaded. */
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runCli([...args, '--datadir', d, '--network', 'regtest'], { env: { ...env, NODE_OPTIONS: `--require ${hook}` }, timeoutMs: 20_000 });
  const COMMANDER = 'commander was loaded\n';
  const withoutMark = (r: CliResult) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr.replace(COMMANDER, '') });

  before(async () => {
    root = await tempDir('cli-routed');
    d = join(root.dir, 'node');
    hook = join(root.dir, 'hook.cjs');
    await writeFile(hook, `process.on('exit', () => { if (Object.keys(require.cache).some((k) => k.includes('/commander/'))) process.stderr.write(${JSON.stringify(COMMANDER)}); });\n`);
    const w = await runCli(['createwallet', '--json', '--datadir', d, '--network', 'regtest']);
    A = JSON.parse(w.stdout).address;
    assert.equal((await runCli(['createblockchain', '--address', A, '--datadir', d, '--network', 'regtest'])).code, 0);
    const port = await freePort();
    node = NodeProcess.start({ role: 'routed', id: String(port), port, datadir: d, network: 'regtest' }, ['--listen-only', '--threads', '1']);
    await node.waitForLog(eventPattern(EV.nodeReady), 20_000);
  });
  after(async () => { await node?.stop(); await root.cleanup(); });

  test('getbalance: the same output and exit code either way, and only the full CLI loads commander', async () => {
    for (const extra of [['--json'], []]) {
      const fast = await cli(['getbalance', '--address', A, ...extra]);
      const full = await cli(['getbalance', '--address', A, ...extra], FULL);
      assert.equal(fast.code, 0, fast.stderr);
      assert.ok(!fast.stderr.includes(COMMANDER), 'the fast path loads no commander');
      assert.ok(full.stderr.includes(COMMANDER), 'the full CLI does (so the check can fail)');
      assert.deepEqual(withoutMark(fast), withoutMark(full));
    }
    assert.match((await cli(['getbalance', '--address', A])).stdout, /: 25\n$/);
  });

  test('errors read the same: a bad address (from the node) and a missing flag (handed over)', async () => {
    const badFast = await cli(['getbalance', '--address', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3']);
    const badFull = await cli(['getbalance', '--address', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3'], FULL);
    assert.equal(badFast.code, 1);
    assert.ok(!badFast.stderr.includes(COMMANDER));
    assert.deepEqual(withoutMark(badFast), withoutMark(badFull));
    const missing = await cli(['getbalance']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--address/);
    assert.ok(missing.stderr.includes(COMMANDER), 'a usage error is the full CLI\'s');
  });

  test('verifytxoutproof: the same txids either way', async () => {
    const auth = await readCookie(d);
    const info = JSON.parse(await (await import('node:fs/promises')).readFile(join(d, 'node.json'), 'utf8')) as { rpcPort: number };
    const hash = await rpcCall<string>(info.rpcPort, auth, 'getbestblockhash', []);
    const block = await rpcCall<{ tx: string[] }>(info.rpcPort, auth, 'getblock', [hash, 1]);
    const proof = await rpcCall<string>(info.rpcPort, auth, 'gettxoutproof', [[block.tx[0]], hash]);
    const fast = await cli(['verifytxoutproof', proof, '--json']);
    assert.equal(fast.code, 0, fast.stderr);
    assert.ok(!fast.stderr.includes(COMMANDER));
    assert.deepEqual(JSON.parse(fast.stdout), { valid: true, txids: [block.tx[0]] });
    assert.deepEqual(withoutMark(fast), withoutMark(await cli(['verifytxoutproof', proof, '--json'], FULL)));
  });

  test('a config file in the data directory sends the command to the full CLI', async () => {
    await writeFile(join(d, 'pubchain.conf'), 'log-level=info\n');
    try {
      const r = await cli(['getbalance', '--address', A, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stderr.includes(COMMANDER));
    } finally {
      await (await import('node:fs/promises')).rm(join(d, 'pubchain.conf'));
    }
  });

  test('stop goes through the fast path and waits for the node to exit', async () => {
    const r = await cli(['stop', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stderr.includes(COMMANDER));
    assert.equal(JSON.parse(r.stdout).stopped, true);
    node = null;
  });
});
