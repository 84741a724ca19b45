// The batched hash kernel (assembly/hash.ts), SIMD and scalar builds, against
// node:crypto, and the block paths built on it (txids over the block's bytes,
// every sighash of a block, every input's key hash) against the per-message
// functions they replace.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Block, serializeBlock, serializeWithTxids } from '../src/core/block.js';
import { batchHashersJs, type BatchHashers } from '../src/core/hash.js';
import { blockSighashes, sighash, sighashes, type SpentOutput } from '../src/core/sighash.js';
import { outpointKey, outpointKeyOf, Tx, txid } from '../src/core/tx.js';
import { bytesKey } from '../src/core/bytes.js';
import { compileKernel, preferredKind, type KernelKind } from '../src/wasm/loader.js';
import { batchHashersWasm, HashKernel, hashKernelKind } from '../src/wasm/hashBatch.js';

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
const sha256d = (b: Uint8Array): Buffer => sha(sha(b));
const hash160 = (b: Uint8Array): Buffer => createHash('ripemd160').update(sha(b)).digest();

/** Messages of the given lengths back to back, with their ends. */
function layout(lengths: number[]): { bytes: Uint8Array; ends: number[]; parts: Uint8Array[] } {
  const bytes = new Uint8Array(randomBytes(lengths.reduce((a, b) => a + b, 0)));
  const ends: number[] = [];
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const n of lengths) { parts.push(bytes.subarray(at, at + n)); at += n; ends.push(at); }
  return { bytes, ends, parts };
}

// Every padding boundary (55/56, 63/64, 119/120), empty messages, and the shapes a block hashes.
const EDGES = [0, 1, 31, 32, 33, 36, 55, 56, 57, 63, 64, 65, 100, 119, 120, 127, 128, 150, 183, 184, 1000];

function checkAgainstCrypto(h: BatchHashers, lengths: number[]): void {
  const { bytes, ends, parts } = layout(lengths);
  const d = h.sha256d(bytes, ends, parts.length);
  const k = h.hash160(bytes, ends, parts.length);
  assert.equal(d.length, 32 * parts.length);
  assert.equal(k.length, 20 * parts.length);
  parts.forEach((p, i) => {
    assert.deepEqual(Buffer.from(d.subarray(32 * i, 32 * i + 32)), sha256d(p), `sha256d of ${p.length} bytes (message ${i})`);
    assert.deepEqual(Buffer.from(k.subarray(20 * i, 20 * i + 20)), hash160(p), `hash160 of ${p.length} bytes (message ${i})`);
  });
}

test('the shared kernel is the preferred kind', () => {
  assert.equal(hashKernelKind(), preferredKind());
});

const kinds: KernelKind[] = ['simd', 'scalar'];
for (const kind of kinds) {
  const kernel = new HashKernel(compileKernel('hash', kind));
  const h: BatchHashers = { sha256d: (b, e, c) => kernel.sha256d(b, e, c), hash160: (b, e, c) => kernel.hash160(b, e, c) };

  test(`${kind}: every padding boundary, alone and in runs of four of one length`, () => {
    assert.equal(kernel.kind, kind);
    for (const n of EDGES) {
      checkAgainstCrypto(h, [n]);
      checkAgainstCrypto(h, [n, n, n, n, n, n, n, n, n]);
    }
  });

  test(`${kind}: mixed lengths, where lanes of equal block count and single jobs alternate`, () => {
    checkAgainstCrypto(h, EDGES);
    checkAgainstCrypto(h, [...EDGES].reverse());
    for (let round = 0; round < 20; round++) checkAgainstCrypto(h, Array.from({ length: 1 + round * 3 }, () => Math.floor(Math.random() * 300)));
  });

  test(`${kind}: memory grows for a batch larger than the kernel starts with`, () => {
    checkAgainstCrypto(h, Array.from({ length: 3000 }, (_, i) => 150 + (i % 3)));
  });

  test(`${kind}: the digests are copies, not views of kernel memory`, () => {
    const { bytes, ends } = layout([64, 64]);
    const first = h.sha256d(bytes, ends, 2);
    const copy = Uint8Array.from(first);
    h.sha256d(new Uint8Array(randomBytes(128)), ends, 2);
    assert.deepEqual(first, copy);
  });
}

test('a batch whose ends run past its bytes or backwards is refused', () => {
  assert.throws(() => batchHashersWasm.sha256d(new Uint8Array(10), [11], 1), RangeError);
  assert.throws(() => batchHashersWasm.sha256d(new Uint8Array(10), [5, 4], 2), RangeError);
  assert.equal(batchHashersWasm.sha256d(new Uint8Array(0), [], 0).length, 0);
});

/** Transactions of varied shapes (input and output counts); their signatures and keys are random bytes. */
function randomTxs(count: number): { txs: Tx[]; spent: SpentOutput[][] } {
  const txs: Tx[] = [];
  const spent: SpentOutput[][] = [];
  for (let t = 0; t < count; t++) {
    const nIn = 1 + (t % 4), nOut = 1 + (t % 3);
    txs.push({
      version: 1 + (t % 2),
      inputs: Array.from({ length: nIn }, (_, k) => ({ prevTxid: new Uint8Array(randomBytes(32)), vout: k * 7, signature: new Uint8Array(randomBytes(64)), pubKey: new Uint8Array(randomBytes(33)) })),
      outputs: Array.from({ length: nOut }, (_, k) => ({ value: 1000 * (t + 1) + k, pubKeyHash: new Uint8Array(randomBytes(20)) })),
    });
    spent.push(Array.from({ length: nIn }, (_, k) => ({ value: 2 ** 40 + t * 13 + k, pubKeyHash: new Uint8Array(randomBytes(20)) })));
  }
  return { txs, spent };
}

for (const [name, h] of [['js', batchHashersJs], ['wasm', batchHashersWasm]] as const) {
  test(`${name}: blockSighashes equals sighash and sighashes for every input`, () => {
    const { txs, spent } = randomTxs(41);
    const flat = blockSighashes(txs, spent, h);
    let at = 0;
    txs.forEach((tx, t) => {
      const one = sighashes(tx, spent[t]!);
      tx.inputs.forEach((_, i) => {
        assert.deepEqual(flat[at], sighash(tx, i, spent[t]![i]!), `tx ${t} input ${i}`);
        assert.deepEqual(flat[at], one[i]);
        at++;
      });
    });
    assert.equal(flat.length, at);
  });

  test(`${name}: serializeWithTxids gives serializeBlock's bytes and every txid`, () => {
    const { txs } = randomTxs(23);
    const block: Block = { header: { version: 1, prevHash: new Uint8Array(32), merkleRoot: new Uint8Array(32), time: 1, bits: 0x207fffff, nonce: 9 }, txs };
    const { bytes, txids } = serializeWithTxids(block, h);
    assert.deepEqual(bytes, serializeBlock(block));
    assert.deepEqual(txids, txs.map(txid));
  });
}

test('outpointKeyOf from a txid key equals outpointKey, small and large vouts', () => {
  const id = new Uint8Array(randomBytes(32));
  for (const vout of [0, 1, 2, 255, 256, 65_535, 65_536, 0x7fffffff, 0xffffffff]) assert.equal(outpointKeyOf(bytesKey(id), vout), outpointKey(id, vout), `vout ${vout}`);
  assert.throws(() => outpointKeyOf('short', 0), RangeError);
});
