// Network parameters, compact bits and the difficulty retarget.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValidationError } from '../src/core/errors.js';
import { isRetargetHeight, retargetBits } from '../src/core/difficulty.js';
import { COIN } from '../src/core/amount.js';
import { MAIN, networkParams, REGTEST } from '../src/core/params.js';
import { bitsToTarget, hashMeetsTarget, hashToBigInt, targetToBits, targetToBytesLE, workFromBits } from '../src/core/pow.js';

const TWO_256 = 1n << 256n;

test('compact bits: the four network and Bitcoin values decode to their targets and round-trip', () => {
  const cases: Array<[number, bigint]> = [
    [0x1d00ffff, 0xffffn << 208n],
    [0x1b0404cb, 0x0404cbn << 192n],
    [0x207fffff, 0x7fffffn << 232n],
    [0x1e100000, 1n << 236n],
  ];
  for (const [bits, target] of cases) {
    assert.equal(bitsToTarget(bits), target, bits.toString(16));
    assert.equal(targetToBits(target), bits);
  }
});

test('compact bits: small exponents, the sign bit, zero and the 256-bit edge', () => {
  // Decoded value, and the canonical re-encoding (which may differ from the input).
  const cases: Array<[number, bigint, number]> = [
    [0x00000000, 0n, 0],
    [0x01003456, 0n, 0],
    [0x02000056, 0n, 0],
    [0x03000000, 0n, 0],
    [0x04000000, 0n, 0],
    [0x04800000, 0n, 0], // sign flag on a zero mantissa is not negative
    [0x01123456, 0x12n, 0x01120000],
    [0x02123456, 0x1234n, 0x02123400],
    [0x03123456, 0x123456n, 0x03123456],
    [0x04123456, 0x12345600n, 0x04123456],
    [0x05009234, 0x92340000n, 0x05009234],
    [0x20123456, 0x123456n << 232n, 0x20123456],
    [0x2100ffff, 0xffffn << 240n, 0x2100ffff],
    [0x220000ff, 0xffn << 248n, 0x2100ff00],
  ];
  for (const [bits, target, canonical] of cases) {
    assert.equal(bitsToTarget(bits), target, bits.toString(16));
    assert.equal(targetToBits(target), canonical, bits.toString(16));
  }
  // A mantissa whose top bit would read as a sign moves one byte up.
  assert.equal(targetToBits(0x80n), 0x02008000);
  assert.equal(targetToBits(0x800000n), 0x04008000);
  for (const bits of [0x04923456, 0x01fedcba, 0x00923456, 0x01803456, 0x22000100, 0x23000001, 0xff123456]) {
    assert.throws(() => bitsToTarget(bits), (e: unknown) => e instanceof ValidationError && e.code === 'bad-diffbits' && e.banScore === 100, bits.toString(16));
  }
  assert.throws(() => targetToBits(TWO_256), RangeError);
  assert.throws(() => targetToBits(-1n), RangeError);
});

test('compact bits: encoding truncates to at least 16 significant bits and is idempotent (property)', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: TWO_256 - 1n }), (t) => {
    const bits = targetToBits(t);
    assert.equal(bits & 0x00800000, 0, 'never sets the sign bit');
    const back = bitsToTarget(bits);
    assert.ok(back <= t);
    // The mantissa keeps at least 16 significant bits (two bytes when the third would set the sign bit).
    assert.ok((t - back) << 15n < t || t === back, 'the loss is below 2^-15 of the target');
    assert.equal(targetToBits(back), bits);
  }), { numRuns: 500 });
});

test('targets, hashes and work: little-endian comparison and Bitcoin\'s work per block', () => {
  const t = bitsToTarget(0x1d00ffff);
  assert.equal(hashToBigInt(targetToBytesLE(t)), t);
  assert.ok(hashMeetsTarget(targetToBytesLE(t), t));
  assert.ok(!hashMeetsTarget(targetToBytesLE(t + 1n), t));
  // Byte 31 is the most significant: a hash with only it set exceeds a 2^236 target.
  const top = new Uint8Array(32);
  top[31] = 1;
  assert.ok(!hashMeetsTarget(top, 1n << 236n));
  const bottom = new Uint8Array(32);
  bottom[0] = 0xff;
  assert.ok(hashMeetsTarget(bottom, 1n << 236n));
  assert.equal(workFromBits(0x1d00ffff), 0x100010001n);
  assert.equal(workFromBits(MAIN.genesisBits), (1n << 20n) - 1n);
  assert.equal(workFromBits(REGTEST.genesisBits), 2n);
});

test('networks: distinct four-byte magics, shared consensus constants, lookup by name', () => {
  assert.equal(Buffer.from(MAIN.magic).toString('latin1'), 'pbcm');
  assert.equal(Buffer.from(REGTEST.magic).toString('latin1'), 'pbcr');
  assert.notDeepEqual(MAIN.magic, REGTEST.magic);
  assert.notDeepEqual(MAIN.magic, Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9), 'not Bitcoin\'s');
  for (const p of [MAIN, REGTEST]) {
    assert.equal(p.magic.length, 4);
    assert.deepEqual(
      [p.retargetInterval, p.targetSpacing, p.subsidy, p.maxBlockSize, p.maxFutureSeconds, p.medianTimeSpan, p.genesisHeight, p.halvingInterval],
      [20, 10, 25 * COIN, 1_000_000, 7200, 11, 1, 420_000],
    );
    assert.ok(bitsToTarget(p.genesisBits) <= p.powLimit, `${p.name} genesis bits within its limit`);
    assert.equal(networkParams(p.name), p);
  }
  assert.equal(MAIN.genesisBits, 0x1e100000);
  assert.equal(MAIN.powLimit, bitsToTarget(0x1f00ffff));
  assert.equal(REGTEST.powLimit, bitsToTarget(REGTEST.genesisBits));
  assert.equal(MAIN.noRetarget, false);
  assert.equal(REGTEST.noRetarget, true);
  assert.throws(() => networkParams('testnet'), RangeError);
});

test('retarget heights: every 20 blocks after genesis on main, never on regtest', () => {
  const mainHeights = [];
  for (let h = 1; h <= 100; h++) if (isRetargetHeight(MAIN, h)) mainHeights.push(h);
  assert.deepEqual(mainHeights, [21, 41, 61, 81]);
  for (let h = 1; h <= 1000; h++) assert.equal(isRetargetHeight(REGTEST, h), false);
});

test('retarget: toward 10 s spacing over the 19 gaps of the previous window', () => {
  const bits = MAIN.genesisBits;
  const t = bitsToTarget(bits);
  const expected = 19 * 10;
  const at = (seconds: number): bigint => bitsToTarget(retargetBits(MAIN, bits, 1_000, 1_000 + seconds));
  assert.equal(retargetBits(MAIN, bits, 1_000, 1_000 + expected), bits, 'on schedule: unchanged');
  assert.equal(at(expected / 2), t / 2n, 'twice as fast: twice as hard');
  assert.equal(at(expected * 2), t * 2n, 'twice as slow: twice as easy');
  assert.equal(at(expected * 4), t * 4n);
  assert.equal(at(expected * 4 + 1), t * 4n, 'slower than x4 is clamped at x4');
  assert.equal(at(1_000_000), t * 4n);
});

test('retarget: a window faster than a quarter of the expected time is clamped too', () => {
  const bits = MAIN.genesisBits;
  const t = bitsToTarget(bits);
  const clamped = retargetBits(MAIN, bits, 1_000, 1_000);
  for (const s of [-100_000, -1, 1, 10, 47]) assert.equal(retargetBits(MAIN, bits, 1_000, 1_000 + s), clamped, `${s} s`);
  // Any window of at most 190/4 = 47.5 s hardens by exactly x4; 48 s no longer does.
  const factor = Number(t) / Number(bitsToTarget(clamped));
  assert.ok(factor >= 4 && factor < 4.0001, `hardening factor ${factor}: exactly x4 up to compact rounding`);
  assert.notEqual(retargetBits(MAIN, bits, 1_000, 1_000 + 48), clamped);
});

test('retarget: never easier than the network\'s proof-of-work limit', () => {
  const limitBits = targetToBits(MAIN.powLimit);
  assert.equal(limitBits, 0x1f00ffff);
  assert.equal(retargetBits(MAIN, limitBits, 0, 10_000), limitBits);
  const nearLimit = targetToBits(MAIN.powLimit / 2n);
  assert.equal(retargetBits(MAIN, nearLimit, 0, 10_000), limitBits);
});
