// Disk faults through real processes and real RocksDB: a full disk stops the
// node with one line and leaves nothing corrupt; a flipped byte in a RocksDB
// file is named with the way back, and never turns into a wrong balance.
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import RocksDB from 'rocksdb-native';
import { cliJson, NodeDef, nodeArgs, nodeDef, NodeProcess, runCli } from './helpers/cliProcess.js';
import { tempDir } from './helpers/tempDir.js';
import { exitOf, mountSmallDisk } from './helpers/smallDisk.js';

let root: { dir: string; cleanup: () => Promise<void> };
before(async () => { root = await tempDir('disk-faults'); });
after(async () => { await root.cleanup(); });

/** A node with a wallet address and a chain of its own. */
async function newChain(def: NodeDef): Promise<string> {
  const address = (await cliJson(def, ['createwallet'])).address as string;
  await cliJson(def, ['createblockchain', '--address', address]);
  return address;
}

const miner = (def: NodeDef, address: string): NodeProcess => NodeProcess.start(def, ['--listen-only', '--miner', address, '--mine-always']);

/** reindexutxo must find the UTXO set on disk equal to the one rebuilt from the blocks. */
async function assertUtxoIntact(def: NodeDef): Promise<number> {
  const r = await cliJson(def, ['reindexutxo'], 60_000);
  assert.equal(r.changed, false, `the UTXO set had drifted at height ${r.height}`);
  return r.height as number;
}

describe('a full disk', () => {
  test('stops the node with one line naming the data directory; after freeing space it restarts intact and mines on', async () => {
    const disk = await mountSmallDisk(root.dir);
    let node: NodeProcess | null = null;
    try {
      const def = await nodeDef(disk.path, 'full');
      const address = await newChain(def);
      await disk.fill(400_000);

      node = miner(def, address);
      assert.equal(await exitOf(node, 120_000), 1, 'a node that cannot write stops with exit 1');
      const full = node.log.filter((l) => /disk is full/.test(l));
      assert.equal(full.length, 1, `one line says the disk is full: ${full.join('\n')}`);
      assert.ok(full[0]!.includes(def.datadir) && full[0]!.includes('free space and start again'), full[0]);
      const mined = node.height;
      assert.ok(mined > 1, 'it mined before the disk filled');

      await disk.free();
      const height = await assertUtxoIntact(def);
      assert.ok(height >= mined, `every block announced (${mined}) is on disk (${height})`);
      node = miner(def, address);
      await node.waitForHeight(height + 3, 60_000);
      assert.equal((await node.stop()).code, 0);
      assert.ok(await assertUtxoIntact(def) >= height + 3);
    } finally {
      await node?.stop();
      await disk.unmount();
    }
  });
});

/** Flips one byte at each fraction of the largest table file (RocksDB checksums every block of it). */
async function flipBytes(chainDir: string, fractions: number[]): Promise<string> {
  const ssts = (await readdir(chainDir)).filter((f) => f.endsWith('.sst'));
  assert.ok(ssts.length > 0, 'the data is in table files');
  const sizes = await Promise.all(ssts.map(async (f) => (await stat(join(chainDir, f))).size));
  const file = join(chainDir, ssts[sizes.indexOf(Math.max(...sizes))]!);
  const bytes = await readFile(file);
  for (const f of fractions) bytes[Math.floor(bytes.length * f)]! ^= 0x5a;
  await writeFile(file, bytes);
  return file;
}

describe('a damaged RocksDB file', () => {
  test('is named with the way back, and a balance is right or refused, never wrong', async () => {
    const def = await nodeDef(root.dir, 'flip');
    const address = await newChain(def);
    const node = miner(def, address);
    try {
      await node.waitForHeight(300, 120_000);
    } finally {
      assert.equal((await node.stop()).code, 0);
    }
    const balance = (await cliJson(def, ['getbalance', '--address', address])).balance as string;
    // Move everything out of the write-ahead log into table files, as a long-running node does.
    const chainDir = join(def.datadir, 'chain');
    const db = new RocksDB(chainDir);
    await db.ready();
    await db.flush();
    await db.close();
    await flipBytes(chainDir, [0.25, 0.5, 0.75]);

    const damaged = (stderr: string): boolean => stderr.includes(`the database at ${chainDir} is damaged`) && stderr.includes('reindexutxo') && stderr.includes('sync again from peers');
    const bal = await runCli(['getbalance', '--address', address, ...nodeArgs(def), '--json']);
    if (bal.code === 0) assert.equal(JSON.parse(bal.stdout).balance, balance, 'a balance read from a damaged database is the right one');
    else assert.ok(damaged(bal.stderr), `getbalance: ${bal.stderr}`);
    const re = await runCli(['reindexutxo', ...nodeArgs(def), '--json'], { timeoutMs: 60_000 });
    assert.equal(re.code, 1, 'reading every block finds the damage');
    assert.ok(damaged(re.stderr) && re.stderr.trim().split('\n').length === 1, `one line: ${re.stderr}`);
  });
});

describe('a damaged wallet.json', () => {
  const walletCommands = (a: string): string[][] => [['listaddresses'], ['createwallet'], ['showmnemonic'], ['send', '--from', a, '--to', a, '--amount', '1', '--mine']];

  test('a flipped bit that leaves valid JSON, and a truncation, each stop every wallet command naming the file and its .bak', async () => {
    const def = await nodeDef(root.dir, 'wallet');
    const address = await newChain(def);
    const path = join(def.datadir, 'wallet.json');
    const good = await readFile(path, 'utf8');
    const i = good.indexOf('"next": 1') + '"next": '.length;
    assert.ok(i > 10, 'the file records the address count');
    // '1' ^ 0x08 is '9': still JSON, still a well-formed count, and wrong.
    const flipped = `${good.slice(0, i)}${String.fromCharCode(good.charCodeAt(i) ^ 0x08)}${good.slice(i + 1)}`;
    JSON.parse(flipped);
    for (const damaged of [flipped, good.slice(0, Math.floor(good.length / 2))]) {
      await writeFile(path, damaged);
      for (const args of walletCommands(address)) {
        const r = await runCli([...args, ...nodeArgs(def)]);
        assert.equal(r.code, 1, `${args[0]}: ${r.stdout}`);
        assert.ok(r.stderr.includes(`${path} is corrupt`) && r.stderr.includes(`${path}.bak`), `${args[0]}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      }
      assert.equal(await readFile(path, 'utf8'), damaged, 'the damaged file is left untouched');
    }
    await writeFile(path, await readFile(`${path}.bak`, 'utf8'));
    assert.deepEqual((await cliJson(def, ['listaddresses'])).addresses, [address]);
  });

  test('a file written before the checksum is read, and gets one on its next write', async () => {
    const def = await nodeDef(root.dir, 'old-wallet');
    const first = (await cliJson(def, ['createwallet'])).address as string;
    const path = join(def.datadir, 'wallet.json');
    const { check, ...old } = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    assert.match(String(check), /^[0-9a-f]{64}$/);
    await writeFile(path, `${JSON.stringify(old, null, 2)}\n`);
    assert.deepEqual((await cliJson(def, ['listaddresses'])).addresses, [first]);
    const second = (await cliJson(def, ['createwallet'])).address as string;
    assert.match(String(JSON.parse(await readFile(path, 'utf8')).check), /^[0-9a-f]{64}$/);
    assert.deepEqual((await cliJson(def, ['listaddresses'])).addresses, [first, second]);
  });
});
