// The HD wallet through the real `pubchain` binary: the words shown once,
// encryption (locked sends, a wrong passphrase), restore of the same addresses
// and balance from the words, backups, concurrent processes, a damaged file,
// and a running node's walletpassphrase / walletlock / -13 over RPC.
import assert from 'node:assert/strict';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, NodeProcess, runCli } from './helpers/cliProcess.js';
import { findRunningNode, type LiveNode } from '../src/cli/runningNode.js';
import { RpcCallError } from '../src/rpc/client.js';
import { tempDir } from './helpers/tempDir.js';
import { EV, eventPattern } from '../src/node/logEvents.js';

let root: { dir: string; cleanup: () => Promise<void> };
before(async () => { root = await tempDir('cli-wallet'); });
after(async () => { await root.cleanup(); });

const cli = (d: string, args: string[]) => runCli([...args, '--datadir', d, '--network', 'regtest'], { timeoutMs: 60_000 });

async function json(d: string, args: string[]): Promise<any> {
  const r = await cli(d, [...args, '--json']);
  assert.equal(r.code, 0, `pubchain ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function secretFile(name: string, text: string): Promise<string> {
  const f = join(root.dir, name);
  await writeFile(f, `${text}\n`, { mode: 0o600 });
  return f;
}

/** One after another: each opens the database (or the node's RPC). */
async function balances(d: string, addrs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of addrs) out.push((await json(d, ['getbalance', '--address', a])).balance as string);
  return out;
}

async function rpcFails(p: Promise<unknown>, code: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e) => e instanceof RpcCallError && e.rpcCode === code && (!message || message.test(e.message)));
}

describe('an HD wallet on the CLI', () => {
  const d = () => join(root.dir, 'main');
  let A: string, B: string, C: string, words: string;

  test('the first createwallet shows the 24 words once; later ones only an address', async () => {
    const first = await json(d(), ['createwallet']);
    assert.deepEqual(Object.keys(first).sort(), ['address', 'mnemonic']);
    assert.equal(first.mnemonic.split(' ').length, 24);
    A = first.address; words = first.mnemonic;
    const second = await json(d(), ['createwallet']);
    assert.deepEqual(Object.keys(second), ['address']);
    B = second.address;
    const human = await cli(d(), ['createwallet']);
    assert.equal(human.code, 0);
    C = /Your new address: (\S+)/.exec(human.stdout)![1]!;
    assert.ok(!human.stdout.includes(words.split(' ')[0]! + ' ' + words.split(' ')[1]), 'no words after the first');
    assert.deepEqual((await json(d(), ['listaddresses'])).addresses, [A, B, C]);
    assert.equal((await json(d(), ['showmnemonic'])).mnemonic, words);
  });

  test('encrypted: a send without the passphrase is refused, a wrong one is a clear error, the right one signs', async () => {
    await json(d(), ['createblockchain', '--address', A]);
    const pass = await secretFile('pass', 'correct horse');
    const wrong = await secretFile('wrong', 'battery staple');
    await json(d(), ['encryptwallet', '--passphrase-file', pass]);
    assert.deepEqual((await json(d(), ['listaddresses'])).addresses, [A, B, C], 'addresses readable while locked');
    const before = await readFile(join(d(), 'wallet.json'), 'utf8');
    const noPass = await cli(d(), ['send', '--from', A, '--to', C, '--amount', '5', '--mine']);
    assert.equal(noPass.code, 1);
    assert.match(noPass.stderr, /is encrypted: give --passphrase-file/);
    const bad = await cli(d(), ['send', '--from', A, '--to', C, '--amount', '5', '--mine', '--passphrase-file', wrong]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /passphrase entered was incorrect/);
    assert.equal(await readFile(join(d(), 'wallet.json'), 'utf8'), before);
    assert.match((await cli(d(), ['showmnemonic', '--passphrase-file', wrong])).stderr, /incorrect/);
    await json(d(), ['send', '--from', A, '--to', C, '--amount', '5', '--mine', '--passphrase-file', pass]);
    assert.deepEqual(await balances(d(), [A, B, C]), ['45', '0', '5']);
    const again = await secretFile('pass2', 'new passphrase');
    await json(d(), ['walletpassphrasechange', '--passphrase-file', pass, '--new-passphrase-file', again]);
    assert.match((await cli(d(), ['showmnemonic', '--passphrase-file', pass])).stderr, /incorrect/);
    assert.equal((await json(d(), ['showmnemonic', '--passphrase-file', again])).mnemonic, words);
  });

  test('restorewallet from the words recreates the same addresses and finds the same balance', async () => {
    const f = await secretFile('words', words.replace(/ /g, '\n'));
    const backup = join(root.dir, 'backup.json');
    assert.equal((await json(d(), ['backupwallet', backup])).backup, backup);
    assert.equal(await readFile(backup, 'utf8'), await readFile(join(d(), 'wallet.json'), 'utf8'), 'the backup is the wallet file, still encrypted');
    await rename(join(d(), 'wallet.json'), join(root.dir, 'moved.json'));
    await rm(join(d(), 'wallet.json.bak'));
    const r = await json(d(), ['restorewallet', '--mnemonic-file', f]);
    // C (index 2) holds coins, so B (index 1, empty) is listed again too.
    assert.deepEqual(r.addresses, [A, B, C]);
    assert.equal(r.balance, '50');
    assert.deepEqual((await json(d(), ['listaddresses'])).addresses, [A, B, C]);
    assert.deepEqual(await balances(d(), [A, B, C]), ['45', '0', '5']);
    assert.notEqual((await json(d(), ['createwallet'])).address, C, 'the next address follows the restored ones');
    const twice = await cli(d(), ['restorewallet', '--mnemonic-file', f]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already has a seed/);
  });

  test('concurrent createwallet processes keep every address', async () => {
    const w = join(root.dir, 'concurrent');
    await json(w, ['createwallet']);
    const made = await Promise.all([1, 2, 3, 4, 5, 6].map(() => json(w, ['createwallet'])));
    const listed = (await json(w, ['listaddresses'])).addresses as string[];
    assert.equal(listed.length, 7);
    for (const m of made) assert.ok(listed.includes(m.address));
  });

  test('a damaged wallet file stops every wallet command with its name and the backup to restore', async () => {
    const w = join(root.dir, 'damaged');
    const a = (await json(w, ['createwallet'])).address;
    const path = join(w, 'wallet.json');
    const good = await readFile(path, 'utf8');
    await writeFile(path, good.slice(0, 100));
    for (const args of [['listaddresses'], ['createwallet'], ['showmnemonic'], ['send', '--from', a, '--to', a, '--amount', '1', '--mine'], ['backupwallet', join(root.dir, 'x.json')]]) {
      const r = await cli(w, args);
      assert.equal(r.code, 1, args[0]);
      assert.ok(r.stderr.includes(`${path} is corrupt`) && r.stderr.includes(`${path}.bak`), `${args[0]}: ${r.stderr}`);
    }
    assert.equal(await readFile(path, 'utf8'), good.slice(0, 100));
    await writeFile(path, await readFile(`${path}.bak`, 'utf8'));
    assert.deepEqual((await json(w, ['listaddresses'])).addresses, [a]);
  });
});

describe('a running node\'s encrypted wallet over RPC', () => {
  test('-13 while locked, -14 for a wrong passphrase, walletpassphrase relocks by itself, walletlock, dumpprivkey, restorewallet', { timeout: 120_000 }, async () => {
    const d = join(root.dir, 'node');
    const A = (await json(d, ['createwallet'])).address;
    const B = (await json(d, ['createwallet'])).address;
    await json(d, ['createblockchain', '--address', A]);
    const pass = await secretFile('node-pass', 'node secret');
    await json(d, ['encryptwallet', '--passphrase-file', pass]);
    const port = await freePort();
    const node = NodeProcess.start({ role: 'wallet', id: String(port), port, datadir: d, network: 'regtest' }, ['--listen-only']);
    try {
      await node.waitForLog(eventPattern(EV.nodeReady), 30_000);
      const live = (await findRunningNode(d)) as LiveNode;
      assert.equal((await live.call<any>('getwalletinfo')).unlocked_until, 0);
      await rpcFails(live.call('sendtoaddress', [B, 1]), -13, /^Error: Please enter the wallet passphrase with walletpassphrase first\.$/);
      await rpcFails(live.call('dumpprivkey', [A]), -13);
      await rpcFails(live.call('walletpassphrase', ['not it', 60]), -14);
      await rpcFails(live.call('encryptwallet', ['again']), -15);
      // Through the CLI: the passphrase file unlocks the node for the one send.
      await json(d, ['send', '--from', A, '--to', B, '--amount', '2', '--mine', '--passphrase-file', pass]);
      assert.equal((await live.call<any>('getwalletinfo')).unlocked_until, 0, 'locked again after the send');
      assert.deepEqual(await balances(d, [A, B]), ['48', '2']);

      await live.call('walletpassphrase', ['node secret', 2]);
      assert.ok((await live.call<any>('getwalletinfo')).unlocked_until > 0);
      assert.match(await live.call<string>('dumpprivkey', [A]), /^[KL][1-9A-HJ-NP-Za-km-z]{51}$/);
      const end = Date.now() + 20_000;
      while ((await live.call<any>('getwalletinfo')).unlocked_until !== 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      await rpcFails(live.call('dumpprivkey', [A]), -13);

      await live.call('walletpassphrase', ['node secret', 600]);
      assert.match(await live.call<string>('sendtoaddress', [B, 1]), /^[0-9a-f]{64}$/);
      await live.call('walletlock');
      await rpcFails(live.call('sendtoaddress', [B, 1]), -13);
      await live.call('walletpassphrasechange', ['node secret', 'newer secret']);
      await rpcFails(live.call('walletpassphrase', ['node secret', 60]), -14);
      const backup = join(root.dir, 'node-backup.json');
      await live.call('backupwallet', [backup]);
      assert.equal(JSON.parse(await readFile(backup, 'utf8')).encryption.kdf, 'scrypt');
      const words = (await json(d, ['showmnemonic', '--passphrase-file', await secretFile('newer', 'newer secret')])).mnemonic as string;
      assert.match(await live.call<string>('getnewaddress'), /^1/);

      // Restore through the running node into its (moved-away) wallet.
      await rename(join(d, 'wallet.json'), join(root.dir, 'node-moved.json'));
      await rm(join(d, 'wallet.json.bak'));
      const r = await json(d, ['restorewallet', '--mnemonic-file', await secretFile('node-words', words)]);
      assert.deepEqual(r.addresses, [A, B]);
      assert.equal(r.units, String((48 + 2) * 1e8));
    } finally {
      await node.stop();
    }
  });
});
