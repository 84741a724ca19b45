// The Merkle kernel, SIMD and scalar builds, against the JS reference
// (merkleRootJs) and Bitcoin block 100000.
import test from 'node:test';
import assert from 'node:assert/strict';
import { concatBytes, hashToHex, hexToHash } from '../src/core/bytes.js';
import { sha256d } from '../src/core/hash.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { compileKernel, preferredKind, type KernelKind } from '../src/wasm/loader.js';
import { MerkleKernel, merkleKernelKind, merkleLevelWasm, merkleRoot } from '../src/wasm/merkle.js';

function leaves(n: number, tag = 'leaf'): Uint8Array[] {
  const enc = new TextEncoder();
  return Array.from({ length: n }, (_, i) => sha256d(enc.encode(`${tag} ${i}`)));
}

const block100000 = [
  '8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87',
  'fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4',
  '6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4',
  'e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d',
].map(hexToHash);

const big = leaves(100_000, 'big');
const bigRoot = merkleRootJs(big);
const kinds: KernelKind[] = ['simd', 'scalar'];

test('the shared kernel is the preferred kind and merkleRoot uses it', () => {
  assert.equal(merkleKernelKind(), preferredKind());
  assert.equal(hashToHex(merkleRoot(block100000)), 'f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766');
});

for (const kind of kinds) {
  const kernel = new MerkleKernel(compileKernel('merkle', kind));

  test(`${kind}: Bitcoin block 100000's root`, () => {
    assert.equal(kernel.kind, kind);
    assert.equal(hashToHex(kernel.root(block100000)), 'f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766');
  });

  test(`${kind}: equals merkleRootJs for odd and even levels`, () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 1000]) {
      const l = leaves(n, `${kind} ${n}`);
      assert.deepEqual(kernel.root(l), merkleRootJs(l), `${n} leaves`);
    }
  });

  test(`${kind}: 100,000 leaves (memory grows), then small trees again`, () => {
    assert.deepEqual(kernel.root(big), bigRoot);
    const small = leaves(5, 'after');
    assert.deepEqual(kernel.root(small), merkleRootJs(small));
  });

  test(`${kind}: one level of pairs equals sha256d of each pair`, () => {
    const l = leaves(22, 'pairs');
    const pairs = concatBytes(...l);
    const out = kernel.hashPairs(pairs);
    for (let i = 0; i < 11; i++) assert.deepEqual(out.subarray(32 * i, 32 * i + 32), sha256d(pairs.subarray(64 * i, 64 * i + 64)), `pair ${i}`);
  });

  test(`${kind}: a single leaf is its own root; no leaves or bad leaves throw`, () => {
    const [one] = leaves(1, 'one');
    const root = kernel.root([one!]);
    assert.deepEqual(root, one);
    assert.notEqual(root, one, 'a copy, not the caller\'s array');
    assert.throws(() => kernel.root([]), RangeError);
    assert.throws(() => kernel.root([one!, new Uint8Array(31)]), RangeError);
  });
}

test('merkleLevelWasm hashes pairs on the shared kernel', () => {
  const l = leaves(8, 'level');
  const out = merkleLevelWasm(concatBytes(...l));
  assert.equal(out.length, 4 * 32);
  assert.deepEqual(out.subarray(96, 128), sha256d(concatBytes(l[6]!, l[7]!)));
  assert.throws(() => merkleRoot([]), RangeError);
});
