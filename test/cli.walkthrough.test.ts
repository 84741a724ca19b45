// The tutorial's single-node steps through the real `pubchain` binary, on
// RocksDB in a temp dir, with its own spellings (camelCase, single dashes).
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from './helpers/cliProcess.js';
import { tempDir } from './helpers/tempDir.js';

let root: { dir: string; cleanup: () => Promise<void> };
before(async () => { root = await tempDir('cli'); });
after(async () => { await root.cleanup(); });

const cli = (datadir: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli([...args, '--datadir', datadir, '--network', 'regtest'], { env, timeoutMs: 30_000 });

async function json(datadir: string, args: string[]): Promise<any> {
  const r = await cli(datadir, [...args, '--json']);
  assert.equal(r.code, 0, `pubchain ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const balance = async (d: string, a: string): Promise<string> => (await json(d, ['getbalance', '--address', a])).balance;

describe('the tutorial walkthrough on one node', () => {
  test('wallets, genesis, two mined sends, printchain, reindexutxo', async () => {
    const d = join(root.dir, 'walk');
    // The tutorial's spellings: camelCase commands and one-dash flags.
    const A = (await json(d, ['createWallet'])).address as string;
    const B = (await json(d, ['createwallet'])).address as string;
    const C = (await json(d, ['CREATEWALLET'])).address as string;
    assert.deepEqual((await json(d, ['getAddressList'])).addresses, [A, B, C]);
    const mode = (await stat(join(d, 'wallet.json'))).mode & 0o777;
    assert.equal(mode, 0o600, 'the wallet file is readable by its owner only');

    await json(d, ['createBlockchain', '-address', A]);
    assert.equal(await balance(d, A), '25');

    const s1 = await json(d, ['send', '-from', A, '-to', B, '-amount', '22', '-mine']);
    assert.equal(s1.txids.length, 1);
    assert.match(s1.block, /^[0-9a-f]{64}$/);
    await json(d, ['send', '--from', A, '--to', C, '--amount', '11', '--mine']);
    // A: 25 - 22 + 25 (reward) - 11 + 25 (reward) = 42
    assert.deepEqual([await balance(d, A), await balance(d, B), await balance(d, C)], ['42', '22', '11']);
    const units = await json(d, ['getbalance', '--address', A]);
    assert.equal(units.units, '4200000000');

    const chain = await json(d, ['printchain']);
    assert.deepEqual(chain.map((b: { height: number }) => b.height), [3, 2, 1]);
    assert.equal(chain[0].prev, chain[1].hash);
    assert.equal(chain[1].prev, chain[2].hash);
    assert.equal(chain[0].txs.length, 2, 'block 3 holds the coinbase and the transfer');
    const human = await cli(d, ['printchain']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /Height: 3[\s\S]*Height: 2[\s\S]*Height: 1/);

    const re = await json(d, ['resetUTXOset']);
    assert.equal(re.changed, false);
    assert.deepEqual([await balance(d, A), await balance(d, B), await balance(d, C)], ['42', '22', '11']);
  });

  test('one send with JSON arrays chains the change of its earlier transfers', async () => {
    const d = join(root.dir, 'arrays');
    const [A, B, C] = [(await json(d, ['createwallet'])).address, (await json(d, ['createwallet'])).address, (await json(d, ['createwallet'])).address] as string[];
    await json(d, ['createblockchain', '--address', A!]);
    // Both transfers need A's single 25-coin output: the second must spend the first's change.
    const r = await json(d, ['send', '-from', `["${A}","${A}"]`, '-to', `["${B}","${C}"]`, '-amount', '["20","4.5"]', '-mine']);
    assert.equal(r.txids.length, 2);
    assert.deepEqual([await balance(d, A!), await balance(d, B!), await balance(d, C!)], ['25.5', '20', '4.5']);
    // Repeated flags work the same way, and a single --from is used for every transfer.
    await json(d, ['send', '--from', A!, '--to', B!, '--to', C!, '--amount', '0.5', '--amount', '1', '--mine']);
    assert.deepEqual([await balance(d, A!), await balance(d, B!), await balance(d, C!)], ['49', '20.5', '5.5']);
  });

  test('a send pays only from the sender\'s own outputs', async () => {
    const d = join(root.dir, 'own');
    const A = (await json(d, ['createwallet'])).address as string;
    const B = (await json(d, ['createwallet'])).address as string;
    await json(d, ['createblockchain', '--address', A]);
    await json(d, ['send', '--from', A, '--to', B, '--amount', '5', '--mine']);
    // B owns 5; A's 45 are in the same wallet but must not pay for B.
    const r = await cli(d, ['send', '--from', B, '--to', A, '--amount', '6', '--mine']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has 5 coins to spend, not enough for 6/);
    assert.equal(await balance(d, B), '5');
  });
});
