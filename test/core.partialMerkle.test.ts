// BIP37 partial Merkle trees over txids: every subset of every block size is
// proven against the block's Merkle root, and malformed trees are refused.
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '../src/core/errors.js';
import { sha256d } from '../src/core/hash.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { buildPartialMerkleTree, extractMatches, parseTxOutProof, serializeTxOutProof } from '../src/core/partialMerkle.js';
import { validBlock } from './helpers/coreFixtures.js';

const txidsOf = (n: number, salt: number): Uint8Array[] => Array.from({ length: n }, (_, i) => sha256d(Uint8Array.of(salt, i & 0xff, i >> 8)));
const isBad = (e: unknown): boolean => e instanceof ValidationError && e.code === 'bad-encoding';

test('a tree built for any subset of any block proves exactly that subset against the Merkle root', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 255 }), fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }), (n, salt, bits) => {
    const txids = txidsOf(n, salt);
    const match = bits.slice(0, n);
    const tree = buildPartialMerkleTree(txids, match);
    const { root, matches } = extractMatches(tree);
    assert.deepEqual(root, merkleRootJs(txids));
    assert.deepEqual(matches.map((m) => m.index), match.flatMap((m, i) => (m ? [i] : [])));
    for (const m of matches) assert.deepEqual(m.txid, txids[m.index]);
    // Far fewer hashes than txids when few match.
    if (!match.includes(true)) assert.equal(tree.hashes.length, 1);
  }), { numRuns: 200 });
});

test('a proof survives its encoding, and a tampered one proves nothing or is refused', () => {
  const { block } = validBlock();
  const txids = txidsOf(7, 1);
  const tree = buildPartialMerkleTree(txids, [false, false, true, false, false, true, false]);
  const bytes = serializeTxOutProof({ header: block.header, tree });
  const back = parseTxOutProof(bytes);
  assert.deepEqual(back.header, block.header);
  assert.deepEqual(extractMatches(back.tree), extractMatches(tree));

  // A changed hash still parses but hashes to another root.
  const flipped = Uint8Array.from(bytes);
  flipped[80 + 4 + 1 + 5]! ^= 1;
  assert.notDeepEqual(extractMatches(parseTxOutProof(flipped).tree).root, merkleRootJs(txids));

  const extraHash = { ...tree, hashes: [...tree.hashes, new Uint8Array(32)] };
  assert.throws(() => extractMatches(extraHash), isBad);
  const fewerBits = { ...tree, flags: tree.flags.slice(0, 3) };
  assert.throws(() => extractMatches(fewerBits), isBad);
  const extraByte = { ...tree, flags: [...tree.flags, ...new Array(8).fill(false)] };
  assert.throws(() => extractMatches(extraByte), isBad);
  assert.throws(() => extractMatches({ total: 0, hashes: [], flags: [] }), isBad);
  assert.throws(() => extractMatches({ total: 2 ** 30, hashes: [new Uint8Array(32)], flags: [false] }), isBad);
  assert.throws(() => parseTxOutProof(bytes.subarray(0, bytes.length - 1)), isBad);
  assert.throws(() => parseTxOutProof(Uint8Array.of(...bytes, 0)), isBad);
});

test('a tree whose last pair was duplicated to match an odd level (CVE-2012-2459) is refused', () => {
  // [a, b, c] and [a, b, c, c] share a root; a proof over the second shape must not verify.
  const [a, b, c] = txidsOf(3, 9) as [Uint8Array, Uint8Array, Uint8Array];
  const tree = buildPartialMerkleTree([a, b, c, c], [false, false, false, true]);
  assert.deepEqual(merkleRootJs([a, b, c, c]), merkleRootJs([a, b, c]));
  assert.throws(() => extractMatches(tree), isBad);
});
