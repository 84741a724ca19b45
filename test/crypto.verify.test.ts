// Signature verification: libsecp256k1 (native addon and WASM) against the
// @noble reference on valid and corrupted signatures, the worker pool and its inline twin on large
// batches, and the signature cache in front of a real verifier.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as secp from '@noble/secp256k1';
import { sha256 } from '../src/core/hash.js';
import type { SigCheck, SigVerifier } from '../src/core/validate.js';
import { cachedVerifier } from '../src/crypto/cachedVerifier.js';
import { isPrivateKey, nativeVerifier, publicKeyOf, signHash, verifierBackend, verifyFast, verifyNoble, verifyWasm } from '../src/crypto/keys.js';
import { SigCache, sigCacheKey } from '../src/crypto/sigCache.js';
import { createInlineVerifier, type SignatureVerifier } from '../src/crypto/verifier.js';
import { createVerifyPool } from '../src/crypto/verifyPool.js';
import { osThreads, threadCpuNs, waitForThreads } from './helpers/osThreads.js';

const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

function bigToBytes32(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

/** The same signature with s replaced by n - s: valid ECDSA, but not low-S. */
function highSTwin(sig: Uint8Array): Uint8Array {
  const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
  const out = Uint8Array.from(sig);
  out.set(bigToBytes32(CURVE_N - s), 32);
  return out;
}

/** Platforms the `secp256k1` package ships a prebuilt addon for: there the native verifier must load. */
const PREBUILT = ['linux-x64', 'darwin-arm64', 'win32-x64'].includes(`${process.platform}-${process.arch}`);
const native = nativeVerifier();
const BACKENDS: Array<[string, SigVerifier]> = [['wasm', verifyWasm], ...(native.verify ? [['native', native.verify] as [string, SigVerifier]] : [])];

test('the native libsecp256k1 addon is the default verifier where a prebuilt binary exists; WASM is the fallback', () => {
  if (PREBUILT) {
    assert.equal(native.error, null, `the native addon should load on ${process.platform}-${process.arch}`);
    assert.equal(verifierBackend(), process.env.PUBCHAIN_VERIFIER === 'wasm' ? 'wasm' : 'native');
  } else {
    assert.equal(verifierBackend(), native.verify ? 'native' : 'wasm');
  }
});

test('PUBCHAIN_VERIFIER forces a backend and refuses an unknown name', () => {
  const saved = process.env.PUBCHAIN_VERIFIER;
  try {
    process.env.PUBCHAIN_VERIFIER = 'wasm';
    assert.equal(verifierBackend(), 'wasm');
    process.env.PUBCHAIN_VERIFIER = 'auto';
    assert.equal(verifierBackend(), native.verify ? 'native' : 'wasm');
    process.env.PUBCHAIN_VERIFIER = 'openssl';
    assert.throws(() => verifierBackend(), /PUBCHAIN_VERIFIER must be native, wasm or auto, got openssl/);
    process.env.PUBCHAIN_VERIFIER = 'native';
    if (native.verify) assert.equal(verifierBackend(), 'native');
    else assert.throws(() => verifierBackend(), /not usable/);
  } finally {
    if (saved === undefined) delete process.env.PUBCHAIN_VERIFIER;
    else process.env.PUBCHAIN_VERIFIER = saved;
  }
});

const privKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter(isPrivateKey);
const msg32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

for (const [backend, verifyLib] of BACKENDS) {
test(`${backend} libsecp256k1 agrees with verifyNoble on valid, corrupted, high-S and wrong-key signatures`, () => {
  fc.assert(fc.property(privKey, privKey, msg32, fc.nat(), (priv, other, msg, seed) => {
    fc.pre(!Buffer.from(priv).equals(Buffer.from(other)));
    const pubKey = publicKeyOf(priv);
    const signature = signHash(msg, priv);
    const cases: Array<{ name: string; c: SigCheck; valid: boolean }> = [
      { name: 'valid', c: { msg, signature, pubKey }, valid: true },
      { name: 'valid, uncompressed key', c: { msg, signature, pubKey: secp.getPublicKey(priv, false) }, valid: true },
      { name: 'msg bit', c: { msg: flipBit(msg, seed % 256), signature, pubKey }, valid: false },
      { name: 'r bit', c: { msg, signature: flipBit(signature, seed % 256), pubKey }, valid: false },
      { name: 's bit', c: { msg, signature: flipBit(signature, 256 + (seed % 256)), pubKey }, valid: false },
      // Bit 0 is the prefix byte's low bit: 02 <-> 03 names the other point with the same x.
      { name: 'pubkey bit', c: { msg, signature, pubKey: flipBit(pubKey, seed % 264) }, valid: false },
      { name: 'high-S twin', c: { msg, signature: highSTwin(signature), pubKey }, valid: false },
      { name: 'wrong key', c: { msg, signature, pubKey: publicKeyOf(other) }, valid: false },
    ];
    for (const { name, c, valid } of cases) {
      const noble = verifyNoble(c.msg, c.signature, c.pubKey);
      const fast = verifyLib(c.msg, c.signature, c.pubKey);
      assert.equal(fast, noble, `${name}: ${backend} ${fast}, verifyNoble ${noble}`);
      assert.equal(noble, valid, `${name}: expected ${valid}`);
    }
  }), { numRuns: 60 });
});

test(`${backend} libsecp256k1 agrees with verifyNoble on malformed signatures and keys`, () => {
  const priv = sha256(new TextEncoder().encode('malformed'));
  const msg = sha256(new TextEncoder().encode('message'));
  const pubKey = publicKeyOf(priv);
  const signature = signHash(msg, priv);
  const withR = (r: Uint8Array): Uint8Array => { const s = Uint8Array.from(signature); s.set(r, 0); return s; };
  const withS = (v: Uint8Array): Uint8Array => { const s = Uint8Array.from(signature); s.set(v, 32); return s; };
  const cases: Array<[string, SigCheck]> = [
    ['r = 0', { msg, signature: withR(new Uint8Array(32)), pubKey }],
    ['s = 0', { msg, signature: withS(new Uint8Array(32)), pubKey }],
    ['r = n', { msg, signature: withR(bigToBytes32(CURVE_N)), pubKey }],
    ['r = n + r mod 2^256', { msg, signature: withR(bigToBytes32((CURVE_N + BigInt('0x' + Buffer.from(signature.subarray(0, 32)).toString('hex'))) % (1n << 256n))), pubKey }],
    ['all-ones signature', { msg, signature: new Uint8Array(64).fill(0xff), pubKey }],
    ['63-byte signature', { msg, signature: signature.subarray(0, 63), pubKey }],
    ['31-byte msg', { msg: msg.subarray(0, 31), signature, pubKey }],
    ['prefix 04 on 33 bytes', { msg, signature, pubKey: Uint8Array.from([4, ...pubKey.subarray(1)]) }],
    ['prefix 05', { msg, signature, pubKey: Uint8Array.from([5, ...pubKey.subarray(1)]) }],
    ['x off the curve', { msg, signature, pubKey: Uint8Array.from([2, ...new Uint8Array(32).fill(0xff)]) }],
    ['empty key', { msg, signature, pubKey: new Uint8Array(0) }],
  ];
  for (const [name, c] of cases) {
    const noble = verifyNoble(c.msg, c.signature, c.pubKey);
    assert.equal(verifyLib(c.msg, c.signature, c.pubKey), noble, name);
    assert.equal(noble, false, name);
  }
  assert.equal(verifyLib(msg, signature, pubKey), true, 'the unmodified check is valid');
  // The one known disagreement: noble truncates a longer message to its leading
  // 256 bits (ECDSA bits2int), so msg || 0x00 verifies there; libsecp256k1 takes
  // exactly 32 bytes. Consensus only ever produces 32-byte sighashes.
  assert.equal(verifyLib(Uint8Array.from([...msg, 0]), signature, pubKey), false, '33-byte msg');
});
}

/** `count` valid checks over a handful of keys, each with its own message. */
function validChecks(count: number, tag: string): SigCheck[] {
  const keys = Array.from({ length: 8 }, (_, k) => sha256(new TextEncoder().encode(`verify key ${k}`)));
  const pubs = keys.map(publicKeyOf);
  return Array.from({ length: count }, (_, i) => {
    const msg = sha256(new TextEncoder().encode(`${tag} ${i}`));
    return { msg, signature: signHash(msg, keys[i % 8]!), pubKey: pubs[i % 8]! };
  });
}

/** A copy of `checks` whose check at `index` has one bit of its signature's s flipped. */
function corruptAt(checks: SigCheck[], index: number): SigCheck[] {
  const out = checks.slice();
  const c = out[index]!;
  out[index] = { ...c, signature: flipBit(c.signature, 300) };
  return out;
}

async function rejectsBadSignature(p: Promise<void>, index: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as { code?: string; banScore?: number; meta?: { index?: number } };
    assert.equal(err.code, 'bad-signature');
    assert.equal(err.banScore, 100);
    assert.equal(err.meta?.index, index, 'the lowest failing index is reported');
    return true;
  });
}

const BATCH = validChecks(2000, 'batch');

for (const [name, make, size] of [
  ['pool', () => createVerifyPool({ threads: 2, minBatch: 16 }), 2000],
  ['pool (WASM)', () => createVerifyPool({ threads: 2, minBatch: 16, backend: 'wasm' }), 1000],
  ['inline', () => createInlineVerifier(), 400],
  ['inline (WASM)', () => createInlineVerifier('wasm'), 400],
] as Array<[string, () => SignatureVerifier, number]>) {
  test(`${name}: ${size} valid checks pass; one corrupted check first, middle or last fails; empty passes`, async () => {
    const v = make();
    const batch = BATCH.slice(0, size);
    const mid = size >> 1;
    try {
      await v.verify(batch);
      await v.verify([]);
      for (const index of [0, mid, size - 1]) await rejectsBadSignature(v.verify(corruptAt(batch, index)), index);
      await rejectsBadSignature(v.verify(corruptAt(corruptAt(batch, size - 10), mid - 1)), mid - 1);
      // Below minBatch: verified on the calling thread, same answers.
      await v.verify(batch.slice(0, 5));
      await rejectsBadSignature(v.verify(corruptAt(batch.slice(0, 5), 3)), 3);
    } finally { await v.close(); }
    await assert.rejects(v.verify(batch.slice(0, 1)), /closed/);
  });
}

test('pool: checks that do not fit the packed record are still verified exactly as verifyFast does', async () => {
  const v = createVerifyPool({ threads: 2, minBatch: 4 });
  try {
    const priv = sha256(new TextEncoder().encode('uncompressed'));
    const msg = sha256(new TextEncoder().encode('odd shape'));
    const uncompressed: SigCheck = { msg, signature: signHash(msg, priv), pubKey: secp.getPublicKey(priv, false) };
    assert.equal(verifyFast(uncompressed.msg, uncompressed.signature, uncompressed.pubKey), true);
    const batch = [...BATCH.slice(0, 40), uncompressed, ...BATCH.slice(40, 80)];
    await v.verify(batch);
    const shortMsg = { ...BATCH[50]!, msg: BATCH[50]!.msg.subarray(0, 31) };
    const bad = batch.slice();
    bad[60] = shortMsg;
    await rejectsBadSignature(v.verify(bad), 60);
    // An odd-shaped failure after a packed one: still the lowest index.
    await rejectsBadSignature(v.verify(corruptAt(bad, 10)), 10);
  } finally { await v.close(); }
});

/** CPU time each thread not in `existing` used between two readings. */
function newThreadWork(existing: Set<string>, from: Map<string, number>, to: Map<string, number>): number[] {
  return [...to].filter(([tid]) => !existing.has(tid)).map(([tid, ns]) => ns - (from.get(tid) ?? 0));
}

test('pool: a large batch runs on more than one worker thread, and close() ends them', async () => {
  const before = osThreads()!;
  const existing = new Set(threadCpuNs()!.keys());
  const v = createVerifyPool({ threads: 2 });
  assert.equal(v.threads, 2);
  await v.verify([]);
  assert.ok(osThreads()! >= before + 2, `expected two more OS threads than ${before}, have ${osThreads()}`);
  // Let the workers finish loading (their start-up is CPU time too), bounded:
  // afterwards a worker's CPU time only grows when it is given work.
  let last = threadCpuNs()!;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = threadCpuNs()!;
    const grew = newThreadWork(existing, last, now).filter((ns) => ns > 1e6).length;
    last = now;
    if (grew === 0) break;
  }
  // The batch is split into chunks handed to whichever worker is free, so each
  // of the two workers verifies part of it: two of the pool's threads each
  // spend at least 1 ms of CPU on it (a chunk of 250 checks is ~10 ms; an idle
  // worker spends ~0). Up to 5 batches, in case a worker was not ready yet.
  let work: number[] = [];
  const busy = (): number => work.filter((ns) => ns >= 1e6).length;
  for (let attempt = 0; attempt < 5 && busy() < 2; attempt++) {
    const start = threadCpuNs()!;
    await v.verify(BATCH);
    work = newThreadWork(existing, start, threadCpuNs()!);
  }
  assert.ok(busy() >= 2, `the batch ran on ${busy()} of the pool's threads (CPU ns of the new threads: ${work.join(', ')})`);
  await v.close();
  const after = (await waitForThreads(before))!;
  assert.ok(after <= before, `worker threads still running: ${after} threads, ${before} before the pool`);
});

test('createVerifyPool with 0 threads is the inline verifier', async () => {
  const v = createVerifyPool({ threads: 0 });
  assert.equal(v.threads, 0);
  await v.verify(BATCH.slice(0, 100));
  await rejectsBadSignature(v.verify(corruptAt(BATCH.slice(0, 100), 99)), 99);
  await v.close();
});

const MEMPOOL = { priority: 'mempool' } as const;

/** The real pool, with every batch that reaches it recorded. */
function counting(v: SignatureVerifier): { verify: (checks: SigCheck[]) => Promise<void>; seen: number[] } {
  const seen: number[] = [];
  return { seen, verify: (checks) => { seen.push(checks.length); return v.verify(checks); } };
}

test('cache: a verified batch is served from the cache the second time; only new checks reach the verifier', async () => {
  const pool = createVerifyPool({ threads: 2 });
  try {
    const inner = counting(pool);
    const cache = new SigCache(10_000);
    const verifyAny = cachedVerifier(inner.verify, cache);
    const verify = (checks: SigCheck[]): Promise<void> => verifyAny(checks, MEMPOOL);
    await verify(BATCH);
    assert.deepEqual(inner.seen, [2000]);
    assert.equal(cache.size, 2000);
    await verify(BATCH);
    assert.deepEqual(inner.seen, [2000], 'the second pass never reaches the verifier');
    const fresh = validChecks(3, 'fresh');
    await verify([...BATCH.slice(0, 500), ...fresh]);
    assert.deepEqual(inner.seen, [2000, 3]);
    assert.equal(cache.size, 2003);
  } finally { await pool.close(); }
});

test('cache: a failing batch adds nothing, and the bad check is verified (and fails) again next time', async () => {
  const pool = createVerifyPool({ threads: 2 });
  try {
    const inner = counting(pool);
    const cache = new SigCache(10_000);
    const verifyAny = cachedVerifier(inner.verify, cache);
    const verify = (checks: SigCheck[]): Promise<void> => verifyAny(checks, MEMPOOL);
    await verify(BATCH.slice(0, 100));
    const newGood = validChecks(50, 'new good');
    const bad = corruptAt([...BATCH.slice(0, 100), ...newGood], 120);
    await assert.rejects(verify(bad), { code: 'bad-signature' });
    assert.deepEqual(inner.seen, [100, 50], 'cached checks are skipped even in a failing batch');
    assert.equal(cache.size, 100, 'nothing from the failing batch was cached');
    await assert.rejects(verify(bad), { code: 'bad-signature' });
    assert.deepEqual(inner.seen, [100, 50, 50]);
    await verify(newGood);
    assert.equal(cache.size, 150);
    await assert.rejects(verify([bad[120]!]), { code: 'bad-signature' });
  } finally { await pool.close(); }
});

test('cache: stays within its bound and drops the least recently used key first', () => {
  const cache = new SigCache(100);
  const keys = validChecks(300, 'bound').map(sigCacheKey);
  assert.equal(new Set(keys).size, 300);
  for (const k of keys.slice(0, 100)) cache.add(k);
  assert.equal(cache.has(keys[0]!), true, 'a hit makes keys[0] the most recently used');
  for (const k of keys.slice(100, 150)) cache.add(k);
  assert.equal(cache.size, 100);
  assert.equal(cache.has(keys[0]!), true);
  assert.equal(cache.has(keys[1]!), false);
  assert.equal(cache.has(keys[51]!), true);
  for (const k of keys.slice(150)) { cache.add(k); assert.ok(cache.size <= 100); }
  assert.equal(cache.size, 100);
  assert.equal(cache.has(keys[299]!), true);
  assert.equal(cache.has(keys[199]!), false);
});

test('cache: eviction at capacity costs a bounded number of steps per add, whatever was hit or re-added before', () => {
  // A Map-order eviction walks every deleted slot at its head: each add at capacity
  // would visit ~capacity slots. The queue visits each slot at most once or twice.
  const capacity = 2000;
  const cache = new SigCache(capacity);
  const key = (i: number): string => `k${i}`;
  for (let i = 0; i < capacity; i++) cache.add(key(i));
  // Hits and re-adds leave stale slots behind, in the worst place: right at the old end.
  for (let round = 0; round < 3; round++) for (let i = 0; i < capacity; i++) assert.equal(cache.has(key(i)), true);
  for (let i = 0; i < capacity; i += 2) cache.add(key(i));
  const adds = 50_000;
  const before = cache.steps;
  let worstWindow = 0;
  for (let i = 0; i < adds; i++) {
    const at = cache.steps;
    cache.add(key(capacity + i));
    // One in three new keys is hit at once, making a stale slot per hit.
    if (i % 3 === 0) cache.has(key(capacity + i));
    worstWindow = Math.max(worstWindow, cache.steps - at);
    assert.equal(cache.size, capacity);
  }
  const perAdd = (cache.steps - before) / adds;
  assert.ok(perAdd <= 6, `eviction visited ${perAdd.toFixed(2)} slots per add`);
  // A single add may pay for one compaction of the queue, never more than a few times the bound.
  assert.ok(worstWindow <= 3 * capacity + 64, `one add visited ${worstWindow} slots`);
  assert.equal(cache.has(key(capacity + adds - 1)), true);
  assert.equal(cache.has(key(0)), false);
});

test('cache: a block\'s checks are looked up but not stored; the mempool\'s are stored and a block then hits them', async () => {
  const pool = createVerifyPool({ threads: 2 });
  try {
    const inner = counting(pool);
    const cache = new SigCache(10_000);
    const verify = cachedVerifier(inner.verify, cache);
    await verify(BATCH.slice(0, 300));
    await verify(BATCH.slice(0, 300), { priority: 'block' });
    assert.equal(cache.size, 0, 'a connected block leaves nothing behind');
    assert.deepEqual(inner.seen, [300, 300]);
    await verify(BATCH.slice(300, 400), MEMPOOL);
    assert.equal(cache.size, 100);
    await verify(BATCH.slice(250, 400));
    assert.deepEqual(inner.seen, [300, 300, 100, 50], 'the block verifies only what the mempool did not');
    assert.equal(cache.size, 100);
  } finally { await pool.close(); }
});

test('cache key: a byte moved between fields gives a different key; equal triples give equal keys', () => {
  const [c] = validChecks(1, 'key');
  const joined = Uint8Array.from([...c!.msg, ...c!.signature, ...c!.pubKey]);
  const shifted: SigCheck = { msg: joined.subarray(0, 33), signature: joined.subarray(33, 97), pubKey: joined.subarray(97) };
  assert.notEqual(sigCacheKey(shifted), sigCacheKey(c!));
  const copy: SigCheck = { msg: Uint8Array.from(c!.msg), signature: Uint8Array.from(c!.signature), pubKey: Uint8Array.from(c!.pubKey) };
  assert.equal(sigCacheKey(copy), sigCacheKey(c!));
  assert.notEqual(sigCacheKey({ ...c!, signature: flipBit(c!.signature, 0) }), sigCacheKey(c!));
});
