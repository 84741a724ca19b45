// The key layout: the version check on open (a database of another layout
// version is refused, never misread), and the typed key helpers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chain } from '../src/chain/chain.js';
import { REGTEST } from '../src/core/params.js';
import { StorageError } from '../src/storage/errors.js';
import {
  addressKey, bestValue, coinKey, indexKey, LAYOUT_VERSION, metaKey, parseAddressKey, parseBestValue, parseIndexKey,
} from '../src/storage/layout.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { buildChain, NOW, testKey } from './helpers/chainFixtures.js';
import { tempDir } from './helpers/tempDir.js';

const u32be = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

/** A RocksDB chain with a genesis and two blocks, closed; `body` gets its directory. */
async function withStoredChain(tag: string, body: (dir: string) => Promise<void>): Promise<void> {
  const t = await tempDir(tag);
  try {
    const chain = await Chain.open(await RocksStore.open(t.dir), REGTEST, { now: NOW });
    const blocks = buildChain(null, 3, testKey(21));
    await chain.initGenesis(blocks[0]!.block);
    for (const b of blocks.slice(1)) await chain.processBlock(b.block);
    await chain.close();
    await body(t.dir);
  } finally {
    await t.cleanup();
  }
}

async function rawWrite(dir: string, edit: (s: RocksStore) => Promise<void>): Promise<void> {
  const s = await RocksStore.open(dir);
  try { await edit(s); } finally { await s.close(); }
}

/** The open is refused with db-version, in one line; the failed open released the database. */
async function assertRefused(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(Chain.open(await RocksStore.open(dir), REGTEST, { now: NOW }), (e: unknown) => {
    assert.ok(e instanceof StorageError, `a StorageError, got ${String(e)}`);
    assert.equal(e.code, 'db-version');
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.match(e.message, pattern);
    return true;
  });
  const again = await RocksStore.open(dir);
  await again.close();
}

test('a fresh database opens empty; the genesis batch writes the layout version, and the chain reopens', async () => {
  const t = await tempDir('layout-fresh');
  try {
    const chain = await Chain.open(await RocksStore.open(t.dir), REGTEST, { now: NOW });
    assert.equal(chain.tip, null);
    await chain.close();
    // Opening a fresh database wrote nothing.
    await rawWrite(t.dir, async (s) => {
      for await (const kv of s.iterate({})) assert.fail(`unexpected key ${Buffer.from(kv[0]).toString('latin1')}`);
    });
    const reopened = await Chain.open(await RocksStore.open(t.dir), REGTEST, { now: NOW });
    await reopened.initGenesis(buildChain(null, 1, testKey(22))[0]!.block);
    await reopened.close();
    await rawWrite(t.dir, async (s) => { assert.deepEqual(await s.get(metaKey('version')), u32be(LAYOUT_VERSION)); });
    const third = await Chain.open(await RocksStore.open(t.dir), REGTEST, { now: NOW });
    assert.equal(third.tip!.height, REGTEST.genesisHeight);
    await third.close();
  } finally {
    await t.cleanup();
  }
});

test('a database of another layout version is refused with an error naming both versions', async () => {
  await withStoredChain('layout-mismatch', async (dir) => {
    await rawWrite(dir, (s) => s.put(metaKey('version'), u32be(LAYOUT_VERSION + 1)));
    await assertRefused(dir, new RegExp(`layout version ${LAYOUT_VERSION + 1};.*layout version ${LAYOUT_VERSION}$`));
    // Nothing was changed by the refused open: with the version put back, it opens at the same tip.
    await rawWrite(dir, (s) => s.put(metaKey('version'), u32be(LAYOUT_VERSION)));
    const chain = await Chain.open(await RocksStore.open(dir), REGTEST, { now: NOW });
    assert.equal(chain.tip!.height, REGTEST.genesisHeight + 2);
    await chain.close();
  });
});

test('a version value that is not a u32, or data without any version, is refused too', async () => {
  await withStoredChain('layout-unreadable', async (dir) => {
    await rawWrite(dir, (s) => s.put(metaKey('version'), Uint8Array.of(1)));
    await assertRefused(dir, new RegExp(`unreadable layout version.*layout version ${LAYOUT_VERSION}$`));
    await rawWrite(dir, (s) => s.write([{ type: 'del', key: metaKey('version') }]));
    await assertRefused(dir, new RegExp(`holds data but no layout version; this pubchain reads layout version ${LAYOUT_VERSION}$`));
  });
});

test('key helpers: parse inverts build; a key of another kind or width is refused', () => {
  const hash = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const pkh = Uint8Array.from({ length: 20 }, (_, i) => 200 - i);
  assert.deepEqual(parseIndexKey(indexKey(hash)), { hash });
  assert.deepEqual(parseAddressKey(addressKey(pkh, hash, 0xfffffffe)), { pubKeyHash: pkh, txid: hash, vout: 0xfffffffe });
  // Big-endian vout: key order is numeric order.
  assert.ok(Buffer.compare(coinKey(hash, 255), coinKey(hash, 256)) < 0);
  assert.throws(() => parseIndexKey(coinKey(hash, 0)), RangeError);
  assert.throws(() => parseAddressKey(indexKey(hash)), RangeError);
  assert.throws(() => parseIndexKey(indexKey(hash).subarray(0, 32)), RangeError);
  assert.throws(() => addressKey(hash, hash, 0), /public-key hash needs 20 bytes/);
  const left = hash.map((b) => 255 - b);
  assert.deepEqual(parseBestValue(bestValue(hash, left)), { target: hash, left });
  assert.throws(() => parseBestValue(hash), RangeError);
});
