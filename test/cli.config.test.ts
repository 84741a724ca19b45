// Settings in rising precedence: <datadir>/pubchain.conf (or --conf), then
// PUBCHAIN_* environment variables, then flags.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from './helpers/cliProcess.js';
import { tempDir } from './helpers/tempDir.js';

let root: { dir: string; cleanup: () => Promise<void> };
let d: string;
before(async () => {
  root = await tempDir('conf');
  d = join(root.dir, 'node');
  const a = await runCli(['createwallet', '--datadir', d, '--json']);
  const address = JSON.parse(a.stdout).address as string;
  // The chain is regtest; main is the default, so only a setting can make commands find it.
  await writeFile(join(d, 'pubchain.conf'), '# a regtest node\nnetwork=regtest\n');
  const r = await runCli(['createblockchain', '--address', address, '--datadir', d, '--json']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => { await root.cleanup(); });

const printchain = (extra: string[], env: NodeJS.ProcessEnv = {}) => runCli(['printchain', '--datadir', d, '--json', ...extra], { env });

test('the config file in the data directory sets the network', async () => {
  const r = await printchain([]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout)[0].height, 1);
});

test('an environment variable overrides the file, and a flag overrides both', async () => {
  const env = await printchain([], { PUBCHAIN_NETWORK: 'main' });
  assert.equal(env.code, 1);
  assert.match(env.stderr, /holds a regtest chain, not main/);
  const flag = await printchain(['--network', 'regtest'], { PUBCHAIN_NETWORK: 'main' });
  assert.equal(flag.code, 0, flag.stderr);
});

test('a bad config file is a usage error naming the file and line', async () => {
  const bad = join(root.dir, 'bad.conf');
  await writeFile(bad, 'network=regtest\nnetwrok=main\n');
  const r = await printchain(['--conf', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.conf line 2: unknown setting "netwrok"/);
  await writeFile(bad, 'network=moon\n');
  assert.match((await printchain(['--conf', bad])).stderr, /network=moon is not one of main, regtest/);
  const missing = await printchain(['--conf', join(root.dir, 'nope.conf')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read the config file/);
});

test('--help lists every option with its default and its environment variable', async () => {
  const r = await runCli(['startnode', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--miner', '--connect', '--bind', '--port', '--min-txs', '--mine-always', '--threads', '--genesis', '--log-level', '--log-format', '--datadir', '--network', '--conf']) {
    assert.ok(r.stdout.includes(flag), `${flag} in help`);
  }
  assert.match(r.stdout, /default: "127\.0\.0\.1"/);
  assert.match(r.stdout, /PUBCHAIN_MIN_TXS/);
});
