// Header-only entries of headers-first sync are written behind (HeaderChain's
// writeDelayMs): an entry whose block connects before the write is never
// written, nor deleted again; one written before is deleted once its block
// connects. Counts of what reaches the store, no timings (the flush is called).
import test from 'node:test';
import assert from 'node:assert/strict';
import { bytesKey } from '../src/core/bytes.js';
import { REGTEST } from '../src/core/params.js';
import { HeaderChain, type HeaderEntry } from '../src/node/headerSyncChain.js';
import { buildChain, NOW, testKey } from './helpers/chainFixtures.js';

const CHAIN = buildChain(null, 31, testKey(41));

function setup(writeDelayMs: number): { chain: HeaderChain; connect: (n: number) => void; puts: string[]; dels: string[] } {
  const g = CHAIN[0]!;
  const genesis: HeaderEntry = { hash: g.hash, height: REGTEST.genesisHeight, work: 0n, header: g.block.header };
  // The base: the genesis, then each block that "connects".
  const base = new Set([bytesKey(g.hash)]);
  const puts: string[] = [];
  const dels: string[] = [];
  const chain = new HeaderChain({
    params: REGTEST, now: NOW, writeDelayMs,
    base: { has: (h) => base.has(bytesKey(h)), get: async (h) => (bytesKey(h) === bytesKey(g.hash) ? genesis : null), tipWork: () => 0n },
    store: {
      headerEntries: async () => [],
      writeHeaderEntries: async (put, del = []) => { puts.push(...put.map((e) => bytesKey(e.hash))); dels.push(...del.map(bytesKey)); },
    },
  });
  let connected = 0;
  const connect = (n: number): void => {
    for (const b of CHAIN.slice(connected + 1, connected + 1 + n)) base.add(bytesKey(b.hash));
    connected += n;
    chain.advance();
  };
  return { chain, connect, puts, dels };
}

test('header entries written behind: those whose blocks connect first never reach the store, the others are written once and deleted once', async () => {
  const { chain, connect, puts, dels } = setup(60_000);
  const r = await chain.accept('p', CHAIN.slice(1).map((b) => b.block.header));
  assert.equal(r.kind, 'stored');
  assert.equal(chain.size, 30);
  assert.equal(chain.pathLength, 30);
  assert.equal(puts.length, 0, 'nothing is written when the headers are taken');
  connect(20);
  assert.equal(chain.size, 10);
  await chain.flush();
  assert.deepEqual(puts, CHAIN.slice(21).map((b) => bytesKey(b.hash)), 'only the entries whose blocks had not connected are written');
  assert.equal(dels.length, 0, 'nothing written was left to delete');
  connect(5);
  await chain.flush();
  assert.deepEqual(dels, CHAIN.slice(21, 26).map((b) => bytesKey(b.hash)), 'written entries are deleted once their blocks connect');
  assert.equal(puts.length, 10, 'and none is written twice');
  await chain.flush();
  assert.equal(puts.length + dels.length, 15, 'a flush with nothing due writes nothing');
});

test('header entries without a write delay are written as they are taken', async () => {
  const { chain, connect, puts, dels } = setup(0);
  await chain.accept('p', CHAIN.slice(1).map((b) => b.block.header));
  assert.equal(puts.length, 30);
  connect(30);
  await chain.flush();
  assert.equal(dels.length, 30);
});
