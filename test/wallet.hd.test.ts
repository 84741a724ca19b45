// The wallet's seed, encryption and file in-process: the BIPs' published
// vectors through the libraries and paths the wallet uses, addresses in the
// same form as the keys createwallet made before, sealing with a wrong
// passphrase, version-1 migration, the .bak twin, and timed relock.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HDKey } from '@scure/bip32';
import { toHex, fromHex } from '../src/core/bytes.js';
import { encodeAddress } from '../src/crypto/address.js';
import { newPrivateKey, publicKeyOf, pubKeyHashOf } from '../src/crypto/keys.js';
import { open, seal } from '../src/wallet/encryption.js';
import { AddressChain, CHAIN_PATH, chainXpub, entropyOf, mnemonicOf, normalizeMnemonic, privateKeyAt, seedOf, toWif } from '../src/wallet/seed.js';
import { scanSeed } from '../src/wallet/restore.js';
import { Wallet } from '../src/wallet/wallet.js';
import { WalletError } from '../src/wallet/walletErrors.js';
import { BIP32_VECTORS, BIP39_PASSPHRASE, BIP39_VECTORS } from './helpers/hdVectors.js';
import { tempDir } from './helpers/tempDir.js';

let root: { dir: string; cleanup: () => Promise<void> };
before(async () => { root = await tempDir('wallet-hd'); });
after(async () => { await root.cleanup(); });

const codeOf = (code: string) => (e: unknown) => e instanceof WalletError && e.code === code;

describe('published vectors', () => {
  test('BIP39 (Trezor, passphrase "TREZOR"): entropy to words, words to entropy, seed and root key', () => {
    for (const v of BIP39_VECTORS) {
      assert.equal(mnemonicOf(fromHex(v.entropy)), v.mnemonic);
      assert.equal(toHex(entropyOf(v.mnemonic)), v.entropy);
      assert.equal(toHex(seedOf(v.mnemonic, BIP39_PASSPHRASE)), v.seed);
      assert.equal(HDKey.fromMasterSeed(fromHex(v.seed)).privateExtendedKey, v.rootXprv);
    }
  });

  test('BIP32 vectors 1 and 2: every chain\'s xpub and xprv, and public derivation from the parent xpub', () => {
    for (const v of BIP32_VECTORS) {
      const master = HDKey.fromMasterSeed(fromHex(v.seed));
      for (const c of v.chains) {
        const node = master.derive(c.path);
        assert.equal(node.publicExtendedKey, c.xpub, c.path);
        assert.equal(node.privateExtendedKey, c.xprv, c.path);
      }
      for (let i = 1; i < v.chains.length; i++) {
        const last = v.chains[i]!.path.split('/').pop()!;
        if (last.endsWith("'")) continue;
        assert.equal(HDKey.fromExtendedKey(v.chains[i - 1]!.xpub).deriveChild(Number(last)).publicExtendedKey, v.chains[i]!.xpub);
      }
    }
  });
});

describe('the seed and its addresses', () => {
  const words = BIP39_VECTORS[8]!.mnemonic; // 24 words
  const seed = seedOf(words);

  test('addresses from the xpub match the private keys of the same path, in the old keys\' form', () => {
    const chain = new AddressChain(chainXpub(seed));
    for (const i of [0, 1, 7]) {
      const priv = privateKeyAt(seed, i);
      const pub = publicKeyOf(priv);
      assert.equal(pub.length, 33, 'compressed, as keys.ts makes them');
      assert.equal(chain.at(i).address, encodeAddress(pubKeyHashOf(pub)));
      assert.equal(toHex(HDKey.fromMasterSeed(seed).derive(`${CHAIN_PATH}/${i}`).privateKey!), toHex(priv));
    }
    assert.notEqual(new AddressChain(chainXpub(seedOf(words, 'extra'))).at(0).address, chain.at(0).address, 'the extra passphrase makes another wallet');
  });

  test('mnemonics are checked: length, words, checksum', () => {
    assert.equal(normalizeMnemonic(`  ${words.toUpperCase().replace(/ /g, '\n ')} `), words);
    assert.throws(() => normalizeMnemonic(BIP39_VECTORS[0]!.mnemonic), /24 words/);
    assert.throws(() => normalizeMnemonic(words.replace(/art$/, 'zzz')), /not a word/);
    assert.throws(() => normalizeMnemonic(words.replace(/art$/, 'zoo')), /checksum/);
  });

  test('WIF is base58check(0x80 | key | 01)', () => {
    // Bitcoin's well-known example: private key 1 in compressed WIF.
    const one = new Uint8Array(32); one[31] = 1;
    assert.equal(toWif(one), 'KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn');
  });

  test('the gap scan stops after 20 empty addresses and lists up to the last used one', async () => {
    const chain = new AddressChain(chainXpub(seed));
    const used = new Set([chain.at(2).address, chain.at(21).address]);
    const r = await scanSeed(seed, async (pkh) => (used.has(encodeAddress(pkh)) ? [{ coin: { value: 5 } }] : []));
    assert.equal(r.next, 22);
    assert.equal(r.units, 10);
    const far = new Set([chain.at(2).address, chain.at(23).address]);
    assert.equal((await scanSeed(seed, async (pkh) => (far.has(encodeAddress(pkh)) ? [{ coin: { value: 5 } }] : []))).next, 3, 'index 23 is past a gap of 20');
  });
});

describe('encryption and the file', () => {
  test('sealed secrets open with the passphrase only', async () => {
    const s = await seal(new Uint8Array([1, 2, 3]), 'right');
    assert.deepEqual([...(await open(s, 'right'))], [1, 2, 3]);
    await assert.rejects(open(s, 'wrong'), codeOf('wrong-passphrase'));
    await assert.rejects(open({ ...s, data: s.data.replace(/^../, (h) => (h === '00' ? '01' : '00')) }, 'right'), codeOf('wrong-passphrase'));
  });

  test('encrypted: addresses readable, signing and the mnemonic need the passphrase; a held unlock ends by itself', async () => {
    const d = join(root.dir, 'enc');
    const w = await Wallet.open(d);
    const first = await w.createKey();
    assert.equal(normalizeMnemonic(first.mnemonic!), first.mnemonic);
    const plainKey = w.signingKey(first.address);
    await w.encrypt('pass one');
    const locked = await Wallet.open(d);
    assert.deepEqual(locked.addresses(), [first.address]);
    assert.throws(() => locked.signingKey(first.address), (e) => e instanceof WalletError && e.code === 'wallet-locked' && e.message === 'Error: Please enter the wallet passphrase with walletpassphrase first.');
    const second = await locked.createKey();
    assert.equal(second.mnemonic, null, 'the words are shown once');
    await assert.rejects(locked.unlock('pass two'), (e) => e instanceof WalletError && e.code === 'wrong-passphrase');
    await locked.unlock('pass one');
    assert.equal(toHex(locked.signingKey(first.address)), toHex(plainKey));
    assert.equal(locked.mnemonic(), first.mnemonic);
    const text = await readFile(join(d, 'wallet.json'), 'utf8');
    assert.ok(!text.includes(toHex(plainKey)) && !text.includes(first.mnemonic!.split(' ')[0]! + ' '), 'no secret in the clear');

    // A running node's unlock: held for a time, then wiped.
    const node = await Wallet.open(d);
    await node.holdUnlocked('pass one', 1);
    assert.equal(toHex((await Wallet.open(d)).signingKey(first.address)), toHex(plainKey));
    const end = Date.now() + 10_000;
    while (!(await Wallet.open(d)).isLocked() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const relocked = await Wallet.open(d);
    assert.throws(() => relocked.signingKey(first.address), codeOf('wallet-locked'));
  });

  test('a version-1 wallet keeps its keys beside the new seed, and encryption covers them', async () => {
    const d = join(root.dir, 'v1');
    const priv = newPrivateKey();
    const address = encodeAddress(pubKeyHashOf(publicKeyOf(priv)));
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'wallet.json'), JSON.stringify({ format: 'pubchain-wallet', version: 1, keys: [{ address, privateKey: toHex(priv) }] }));
    const w = await Wallet.open(d);
    assert.deepEqual(w.addresses(), [address]);
    const hd = await w.createKey();
    assert.ok(hd.mnemonic, 'the first HD address brings the seed and its words');
    await w.encrypt('pw');
    const text = await readFile(join(d, 'wallet.json'), 'utf8');
    assert.ok(!text.includes(toHex(priv)), 'the version-1 key is sealed too');
    const again = await Wallet.open(d);
    assert.deepEqual(again.addresses(), [address, hd.address]);
    await again.unlock('pw');
    assert.equal(toHex(again.signingKey(address)), toHex(priv));
  });

  test('a damaged wallet file names itself and its .bak; a missing one beside a .bak is no empty wallet', async () => {
    const d = join(root.dir, 'damaged');
    const w = await Wallet.open(d);
    const a = (await w.createKey()).address;
    const path = join(d, 'wallet.json');
    const good = await readFile(path, 'utf8');
    assert.equal(await readFile(`${path}.bak`, 'utf8'), good, 'the .bak is written with every change');
    await writeFile(path, good.slice(0, good.length / 2));
    await assert.rejects(Wallet.open(d), (e) => e instanceof WalletError && e.code === 'wallet-corrupt' && e.message.includes(path) && e.message.includes(`${path}.bak`));
    await assert.rejects(w.createKey(), codeOf('wallet-corrupt'));
    assert.equal(await readFile(path, 'utf8'), good.slice(0, good.length / 2), 'left untouched');
    await rm(path);
    await assert.rejects(Wallet.open(d), (e) => e instanceof WalletError && e.code === 'wallet-missing' && e.message.includes(`${path}.bak`));
    await writeFile(path, good);
    assert.deepEqual((await Wallet.open(d)).addresses(), [a]);
  });
});
