// Every bad input a person can give the CLI: a one-line error, the right exit
// code (1 user error, 2 usage), and a chain and wallet left exactly as they were.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NodeProcess, runCli, freePort, type CliResult } from './helpers/cliProcess.js';
import { tempDir } from './helpers/tempDir.js';
import { EV, eventPattern } from '../src/node/logEvents.js';

let root: { dir: string; cleanup: () => Promise<void> };
let d: string;
let A: string, B: string, foreign: string;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}, datadir = d, timeoutMs = 30_000) =>
  runCli([...args, '--datadir', datadir, '--network', 'regtest'], { env, timeoutMs });
/** Through a running node's RPC a command takes about 0.25 s here; one still running after this is killed (exit code null). */
const RPC_COMMAND_BOUND_MS = 5_000;

async function json(args: string[], datadir = d): Promise<any> {
  const r = await cli([...args, '--json'], {}, datadir);
  assert.equal(r.code, 0, `pubchain ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Tip, every balance and the wallet bytes: what a failed command must not change. */
async function snapshot(): Promise<string> {
  const chain = await json(['printchain']);
  const balances = [];
  for (const a of [A, B]) balances.push((await json(['getbalance', '--address', a])).units);
  return JSON.stringify({ tip: chain[0].hash, height: chain[0].height, balances, wallet: await readFile(join(d, 'wallet.json'), 'utf8') });
}

function oneLineError(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
}

before(async () => {
  root = await tempDir('cli-errors');
  d = join(root.dir, 'node');
  A = (await json(['createwallet'])).address;
  B = (await json(['createwallet'])).address;
  foreign = (await json(['createwallet'], join(root.dir, 'other'))).address;
  await json(['createblockchain', '--address', A]);
});
after(async () => { await root.cleanup(); });

describe('CLI errors leave everything unchanged', () => {
  test('no NODE_ID and no --datadir: the tutorial\'s message, exit 2', async () => {
    const env = { NODE_ID: '' };
    const r = await runCli(['getbalance', '--address', A], { env });
    oneLineError(r, 2, /NODE_ID env var is not set!/);
  });

  test('NODE_ID picks ./data/<NODE_ID> when no --datadir is given', async () => {
    const r = await runCli(['listaddresses', '--json'], { env: { NODE_ID: 'x/../y' } });
    oneLineError(r, 2, /invalid node id/);
  });

  const cases: Array<[string, string[], number, RegExp]> = [
    ['an unknown command', ['frobnicate'], 2, /unknown command/],
    ['an unknown flag', ['getbalance', '--address', 'x', '--bogus'], 2, /unknown option/],
    ['a missing required flag', ['getbalance'], 2, /--address/],
    ['a bad network', ['getbalance', '--address', 'x', '--network', 'moon'], 2, /moon/],
    ['an address with a bad character', ['getbalance', '--address', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0'], 1, /address/],
    ['an address with a bad checksum', ['getbalance', '--address', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3'], 1, /address/],
    ['send without --to', ['send', '--from', 'A', '--amount', '1', '--mine'], 2, /--to/],
    ['mismatched list lengths', ['send', '--from', 'A', '--to', '["a","b"]', '--amount', '["1","2","3"]', '--mine'], 2, /transfers/],
    ['a malformed JSON array', ['send', '--from', 'A', '--to', '["a",', '--amount', '1', '--mine'], 2, /JSON array/],
    ['a stray argument', ['printchain', 'extra'], 2, /argument/],
  ];
  for (const [what, args, code, pattern] of cases) {
    test(`${what}: exit ${code}`, async () => {
      const before = await snapshot();
      oneLineError(await cli(args.map((a) => (a === 'A' ? A : a))), code, pattern);
      assert.equal(await snapshot(), before);
    });
  }

  const sendCases: Array<[string, () => string[], RegExp]> = [
    ['insufficient funds', () => ['--from', A, '--to', B, '--amount', '25.00000001'], /has 25 coins to spend, not enough for 25.00000001/],
    ['a sender not in this wallet', () => ['--from', foreign, '--to', B, '--amount', '1'], /not an address of this node's wallet/],
    ['an invalid receiver', () => ['--from', A, '--to', 'not-an-address', '--amount', '1'], /address/],
    ['a zero amount', () => ['--from', A, '--to', B, '--amount', '0'], /above zero/],
    ['a negative amount', () => ['--from', A, '--to', B, '--amount', '-1'], /invalid --amount/],
    ['a malformed amount', () => ['--from', A, '--to', B, '--amount', '1e3'], /invalid --amount/],
    ['too many decimals', () => ['--from', A, '--to', B, '--amount', '0.123456789'], /invalid --amount/],
    ['an amount above the supply', () => ['--from', A, '--to', B, '--amount', '99999999'], /supply|invalid --amount/],
    ['a malformed fee', () => ['--from', A, '--to', B, '--amount', '1', '--fee', 'abc'], /^pubchain: invalid --fee "abc"/],
  ];
  for (const [what, args, pattern] of sendCases) {
    test(`send with ${what}: exit 1, nothing written`, async () => {
      const before = await snapshot();
      oneLineError(await cli(['send', ...args(), '--mine']), 1, pattern);
      assert.equal(await snapshot(), before);
    });
  }

  test('createblockchain on an existing chain overwrites nothing', async () => {
    const before = await snapshot();
    oneLineError(await cli(['createblockchain', '--address', B]), 1, /already exists/);
    assert.equal(await snapshot(), before);
  });

  test('a bad PUBCHAIN_WASM or PUBCHAIN_VERIFIER is a one-line usage error, and nothing is written', async () => {
    const before = await snapshot();
    oneLineError(await cli(['send', '--from', A, '--to', B, '--amount', '1', '--mine'], { PUBCHAIN_WASM: 'avx' }), 2, /PUBCHAIN_WASM must be simd, scalar or auto, got avx/);
    oneLineError(await cli(['send', '--from', A, '--to', B, '--amount', '1', '--mine'], { PUBCHAIN_VERIFIER: 'openssl' }), 2, /PUBCHAIN_VERIFIER must be native, wasm or auto, got openssl/);
    assert.equal(await snapshot(), before);
  });

  test('a command on a node with no chain says so', async () => {
    const empty = join(root.dir, 'empty');
    oneLineError(await cli(['getbalance', '--address', A], {}, empty), 1, /no blockchain/);
  });

  test('a corrupt wallet file is an error and is never replaced', async () => {
    const w = join(root.dir, 'corrupt');
    await json(['createwallet'], w);
    const path = join(w, 'wallet.json');
    const garbage = '{"format":"pubchain-wallet","version":1,"keys":[{"address":"1x","privateKey":"zz"}]}\n';
    await writeFile(path, garbage);
    oneLineError(await cli(['createwallet'], {}, w), 1, /wallet file .* is corrupt/);
    oneLineError(await cli(['listaddresses'], {}, w), 1, /corrupt/);
    await writeFile(path, 'not json');
    oneLineError(await cli(['createwallet'], {}, w), 1, /corrupt/);
    assert.equal(await readFile(path, 'utf8'), 'not json');
  });

  test('while the node runs, getbalance, send and printchain go through its RPC; commands that need the database say it is in use', async () => {
    const port = await freePort();
    const node = NodeProcess.start({ role: 'held', id: String(port), port, datadir: d, network: 'regtest' }, ['--listen-only']);
    try {
      await node.waitForLog(eventPattern(EV.nodeReady), 20_000);
      const bal = await cli(['getbalance', '--address', A, '--json'], {}, d, RPC_COMMAND_BOUND_MS);
      assert.equal(bal.code, 0, bal.stderr);
      assert.equal(JSON.parse(bal.stdout).balance, '25');
      const sent = await cli(['send', '--from', A, '--to', B, '--amount', '1', '--mine', '--json'], {}, d, RPC_COMMAND_BOUND_MS);
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(JSON.parse(sent.stdout).block, /^[0-9a-f]{64}$/);
      const chain = await cli(['printchain', '--json'], {}, d, RPC_COMMAND_BOUND_MS);
      assert.equal(chain.code, 0, chain.stderr);
      assert.deepEqual(JSON.parse(chain.stdout).map((b: { height: number }) => b.height), [2, 1]);
      oneLineError(await cli(['reindexutxo']), 1, /in use by another pubchain process/);
      oneLineError(await cli(['send', '--from', A, '--to', B, '--amount', '1000', '--mine']), 1, /not enough/);
    } finally {
      await node.stop();
    }
    // The node's block is on disk for the next direct open.
    assert.equal((await json(['getbalance', '--address', B])).balance, '1');
  });

  test('a node killed with -9 leaves stale files that the next command clears', async () => {
    const port = await freePort();
    const node = NodeProcess.start({ role: 'killed', id: String(port), port, datadir: d, network: 'regtest' }, ['--listen-only']);
    await node.waitForLog(eventPattern(EV.nodeReady), 20_000);
    await node.stop(1000, 'SIGKILL');
    assert.ok(existsSync(join(d, 'node.json')) && existsSync(join(d, '.cookie')), 'a killed node cannot clean up');
    assert.equal((await json(['getbalance', '--address', B])).balance, '1');
    assert.ok(!existsSync(join(d, 'node.json')) && !existsSync(join(d, '.cookie')), 'the stale files are gone');
  });
});
