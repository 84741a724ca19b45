// Published Bitcoin vectors through the public core API: if any of these
// drift, every hash the node computes is wrong.
import test from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, hexToHash } from '../src/core/bytes.js';
import { headerHash, serializeHeader } from '../src/core/header.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { bitsToTarget, hashMeetsTarget, targetToBits } from '../src/core/pow.js';
import { decodeAddress, encodeAddress } from '../src/crypto/address.js';

const genesis = {
  version: 1,
  prevHash: new Uint8Array(32),
  merkleRoot: hexToHash('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'),
  time: 1231006505,
  bits: 0x1d00ffff,
  nonce: 2083236893,
};

test('Bitcoin genesis header hashes to the published block hash and meets its target', () => {
  assert.equal(serializeHeader(genesis).length, 80);
  const hash = headerHash(genesis);
  assert.equal(hashToHex(hash), '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
  assert.ok(hashMeetsTarget(hash, bitsToTarget(genesis.bits)));
  assert.ok(!hashMeetsTarget(headerHash({ ...genesis, nonce: genesis.nonce + 1 }), bitsToTarget(genesis.bits)));
});

test('compact bits round-trip', () => {
  for (const bits of [0x1d00ffff, 0x1b0404cb, 0x207fffff, 0x1e100000]) assert.equal(targetToBits(bitsToTarget(bits)), bits);
});

test('block 100000 Merkle root', () => {
  const ids = [
    '8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87',
    'fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4',
    '6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4',
    'e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d',
  ].map(hexToHash);
  assert.equal(hashToHex(merkleRootJs(ids)), 'f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766');
});

test('address of a known public-key hash, and back', () => {
  const pkh = Uint8Array.from(Buffer.from('010966776006953d5567439e5e39f86a0d273bee', 'hex'));
  assert.equal(encodeAddress(pkh), '16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM');
  assert.deepEqual(decodeAddress('16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM'), pkh);
  assert.throws(() => decodeAddress('16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvN'), /checksum/);
});
