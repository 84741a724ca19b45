// The proof-of-work kernel, SIMD and scalar builds, against Bitcoin's genesis
// block and against a plain JS loop over sha256d: every returned nonce must
// meet the target and be the first one in its range that does.
import test from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex } from '../src/core/bytes.js';
import { sha256d } from '../src/core/hash.js';
import { bitsToTarget, hashMeetsTarget, hashToBigInt, targetToBytesLE } from '../src/core/pow.js';
import { compileKernel, preferredKind, simdSupported, type KernelKind } from '../src/wasm/loader.js';
import { PowKernel } from '../src/wasm/pow.js';
import { GENESIS_NONCE, genesisHeader } from './helpers/bitcoinVectors.js';

const genesisTarget = bitsToTarget(0x1d00ffff);

function withNonce(header: Uint8Array, nonce: number): Uint8Array {
  const h = Uint8Array.from(header);
  new DataView(h.buffer).setUint32(76, nonce, true);
  return h;
}

/** Every nonce in [start, start + count) whose hash meets the target, by the JS reference. */
function solutionsJs(header: Uint8Array, target: bigint, start: number, count: number): number[] {
  const out: number[] = [];
  for (let n = start; n < start + count; n++) if (hashMeetsTarget(sha256d(withNonce(header, n)), target)) out.push(n);
  return out;
}

/** Every solution the kernel reports, by restarting the search after each one. */
function solutionsKernel(kernel: PowKernel, header: Uint8Array, target: bigint, start: number, count: number): number[] {
  const out: number[] = [];
  const t = targetToBytesLE(target);
  const end = start + count;
  for (let from = start; from < end;) {
    const r = kernel.search(header, t, from, end - from);
    if (r.nonce === null) {
      assert.equal(r.hashes, end - from);
      break;
    }
    assert.equal(r.hashes, r.nonce - from + 1);
    out.push(r.nonce);
    from = r.nonce + 1;
  }
  return out;
}

/** Deterministic pseudo-random header: the hash chain of a seed. */
function testHeader(seed: number): Uint8Array {
  const a = sha256d(new TextEncoder().encode(`pow test header ${seed}`));
  const b = sha256d(a);
  const h = new Uint8Array(80);
  h.set(a, 0); h.set(b, 32); h.set(a.subarray(0, 16), 64);
  return h;
}

const kinds: KernelKind[] = ['simd', 'scalar'];

test('the engine runs the SIMD build, and PUBCHAIN_WASM=scalar selects the fallback', () => {
  assert.equal(simdSupported(), true);
  const saved = process.env.PUBCHAIN_WASM;
  try {
    process.env.PUBCHAIN_WASM = 'scalar';
    assert.equal(preferredKind(), 'scalar');
    assert.equal(new PowKernel().kind, 'scalar');
    delete process.env.PUBCHAIN_WASM;
    assert.equal(preferredKind(), 'simd');
    process.env.PUBCHAIN_WASM = 'fast';
    assert.throws(() => preferredKind(), /PUBCHAIN_WASM/);
  } finally {
    if (saved === undefined) delete process.env.PUBCHAIN_WASM; else process.env.PUBCHAIN_WASM = saved;
  }
});

for (const kind of kinds) {
  const kernel = new PowKernel(compileKernel('pow', kind));

  test(`${kind}: finds the Bitcoin genesis nonce and nothing on either side of it`, () => {
    assert.equal(kernel.kind, kind);
    const target = targetToBytesLE(genesisTarget);
    const start = GENESIS_NONCE - 1_000_000;
    const r = kernel.search(genesisHeader, target, start, 1_500_000);
    assert.deepEqual(r, { nonce: GENESIS_NONCE, hashes: 1_000_001 });
    const hash = sha256d(withNonce(genesisHeader, r.nonce!));
    assert.equal(hashToHex(hash), '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    assert.ok(hashMeetsTarget(hash, genesisTarget));

    assert.deepEqual(kernel.search(genesisHeader, target, start, 1_000_000), { nonce: null, hashes: 1_000_000 });
    assert.deepEqual(kernel.search(genesisHeader, target, GENESIS_NONCE + 1, 1_000_001), { nonce: null, hashes: 1_000_001 });
  });

  test(`${kind}: returns exactly the JS loop's solutions, in order, for easy targets`, () => {
    // About one nonce in 16 meets 2^252; ranges start and end off the four-lane grid.
    const target = 1n << 252n;
    for (const [seed, start, count] of [[1, 0, 1001], [2, 7, 1203], [3, 0x7ffffffe, 999], [4, 123456789, 1]] as const) {
      const header = testHeader(seed);
      const want = solutionsJs(header, target, start, count);
      assert.ok(want.length > 0 || count < 16, `seed ${seed} has solutions`);
      assert.deepEqual(solutionsKernel(kernel, header, target, start, count), want, `seed ${seed}`);
    }
  });

  test(`${kind}: a hash equal to the target meets it, one above does not`, () => {
    const header = testHeader(5);
    const start = 1000, count = 600;
    // The target is the 300th nonce's own hash: only hashes at or below it count.
    const exact = hashToBigInt(sha256d(withNonce(header, start + 300)));
    for (const target of [exact, exact - 1n]) {
      const want = solutionsJs(header, target, start, count);
      assert.equal(want.includes(start + 300), target === exact);
      assert.deepEqual(solutionsKernel(kernel, header, target, start, count), want);
    }
  });

  test(`${kind}: ranges at the top of the nonce space, empty ranges, bad ranges`, () => {
    const header = testHeader(6);
    const target = 1n << 252n;
    const start = 0xffffffff - 1000;
    assert.deepEqual(solutionsKernel(kernel, header, target, start, 1001), solutionsJs(header, target, start, 1001));
    const last = kernel.search(header, targetToBytesLE((1n << 256n) - 1n), 0xffffffff, 1);
    assert.deepEqual(last, { nonce: 0xffffffff, hashes: 1 });
    assert.deepEqual(kernel.search(header, targetToBytesLE(target), 5, 0), { nonce: null, hashes: 0 });
    assert.throws(() => kernel.search(header, targetToBytesLE(target), 0xffffffff, 2), RangeError);
    assert.throws(() => kernel.search(header, targetToBytesLE(target), -1, 2), RangeError);
    assert.throws(() => kernel.search(header.subarray(0, 79), targetToBytesLE(target), 0, 2), RangeError);
    assert.throws(() => kernel.search(header, new Uint8Array(31), 0, 2), RangeError);
  });
}
