// headerHash remembers recent hashes per header object: a header changed in
// any field after it was hashed (a miner trying nonces, a test building a
// mutant) must hash anew, and no caller may change another's copy.
import test from 'node:test';
import assert from 'node:assert/strict';
import { sha256d } from '../src/core/hash.js';
import { headerHash, serializeHeader, type BlockHeader } from '../src/core/header.js';

const fresh = (h: BlockHeader): Uint8Array => sha256d(serializeHeader(h));

test('a header hashed, then changed in any field, hashes as its new bytes', () => {
  const h: BlockHeader = { version: 1, prevHash: new Uint8Array(32).fill(1), merkleRoot: new Uint8Array(32).fill(2), time: 1_700_000_000, bits: 0x207fffff, nonce: 0 };
  const changes: Array<(x: BlockHeader) => void> = [
    (x) => { x.nonce++; },
    (x) => { x.time++; },
    (x) => { x.bits = 0x1f00ffff; },
    (x) => { x.version = 2; },
    (x) => { x.prevHash[31] ^= 1; }, // changed in place
    (x) => { x.merkleRoot[0] ^= 1; },
    (x) => { x.prevHash = new Uint8Array(32).fill(9); }, // replaced
    (x) => { x.version = -1; }, // written as its 32-bit pattern
  ];
  for (const change of changes) {
    const before = headerHash(h);
    assert.deepEqual(headerHash(h), before, 'the same header hashes the same');
    change(h);
    const after = headerHash(h);
    assert.deepEqual(after, fresh(h));
    assert.notDeepEqual(after, before);
  }
});

test('each call returns its own copy of the hash', () => {
  const h: BlockHeader = { version: 1, prevHash: new Uint8Array(32), merkleRoot: new Uint8Array(32), time: 1, bits: 0x207fffff, nonce: 5 };
  const a = headerHash(h);
  a.fill(0);
  const b = headerHash(h);
  assert.deepEqual(b, fresh(h));
  b.fill(1);
  assert.deepEqual(headerHash(h), fresh(h));
});

test('many headers hashed in turn: old ones are forgotten and still hash right', () => {
  const hs: BlockHeader[] = Array.from({ length: 10_000 }, (_, i) => ({ version: 1, prevHash: new Uint8Array(32), merkleRoot: new Uint8Array(32), time: i, bits: 0x207fffff, nonce: i }));
  const first = hs.map((h) => headerHash(h));
  hs.forEach((h, i) => assert.deepEqual(headerHash(h), first[i]));
  hs[0]!.nonce = 77;
  assert.deepEqual(headerHash(hs[0]!), fresh(hs[0]!));
});
