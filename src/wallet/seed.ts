// The wallet's one seed: a 24-word BIP39 mnemonic (English wordlist, an optional
// extra passphrase) turned into a BIP32 tree by @scure/bip39 and @scure/bip32;
// no derivation is written here. Receiving addresses sit on one path:
//
//   m/44'/28770'/0'/0/i      (BIP44: purpose, coin type, account 0, external chain, index i)
//
// 28770 (0x7062, "pb") is pubchain's coin type; it is not a SLIP-44 registration.
// An address is base58check(0x00 | HASH160(compressed public key)), exactly as
// for the keys `createwallet` made before (src/crypto/keys.ts hashes the
// 33-byte compressed key), so signing and validation are unchanged.
import { HDKey } from '@scure/bip32';
import { entropyToMnemonic, generateMnemonic, mnemonicToEntropy, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import bs58check from 'bs58check';
import { encodeAddress } from '../crypto/address.js';
import { pubKeyHashOf } from '../crypto/keys.js';
import { WalletError } from './walletErrors.js';

export const COIN_TYPE = 28770;
/** The external chain every receiving address comes from. */
export const CHAIN_PATH = `m/44'/${COIN_TYPE}'/0'/0`;
export const MNEMONIC_WORDS = 24;

export interface PublicKeyInfo {
  address: string;
  publicKey: Uint8Array;
  pubKeyHash: Uint8Array;
}

/** 256 bits of entropy from the OS generator, as 24 words. */
export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256);
}

/** Words separated by any whitespace, lower case, checked against the wordlist and the checksum. */
export function normalizeMnemonic(text: string): string {
  const words = text.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length !== MNEMONIC_WORDS) throw new WalletError('bad-mnemonic', `a pubchain mnemonic has ${MNEMONIC_WORDS} words, this one has ${words.length}`);
  const unknown = words.find((w) => !wordlist.includes(w));
  if (unknown) throw new WalletError('bad-mnemonic', `"${unknown}" is not a word of the BIP39 English wordlist`);
  const phrase = words.join(' ');
  if (!validateMnemonic(phrase, wordlist)) throw new WalletError('bad-mnemonic', 'the mnemonic\'s checksum does not match (a word is wrong or out of order)');
  return phrase;
}

export const entropyOf = (mnemonic: string): Uint8Array => mnemonicToEntropy(mnemonic, wordlist);
export const mnemonicOf = (entropy: Uint8Array): string => entropyToMnemonic(entropy, wordlist);
/** BIP39: PBKDF2-HMAC-SHA512 of the words with salt "mnemonic" + passphrase, 2048 rounds, 64 bytes. */
export const seedOf = (mnemonic: string, passphrase = ''): Uint8Array => mnemonicToSeedSync(mnemonic, passphrase);

/** The external chain's extended public key (xpub): every address, no private key. */
export function chainXpub(seed: Uint8Array): string {
  return HDKey.fromMasterSeed(seed).derive(CHAIN_PATH).publicExtendedKey;
}

export class AddressChain {
  private readonly node: HDKey;
  private readonly cache: PublicKeyInfo[] = [];

  constructor(readonly xpub: string) {
    try {
      this.node = HDKey.fromExtendedKey(xpub);
    } catch (e) {
      throw new WalletError('wallet-corrupt', `not an extended public key: ${(e as Error).message}`);
    }
    if (this.node.depth !== 4 || this.node.privateKey) throw new WalletError('wallet-corrupt', `the extended key is not a public key of ${CHAIN_PATH}`);
  }

  /** Address i of the chain, from the xpub alone. */
  at(index: number): PublicKeyInfo {
    for (let i = this.cache.length; i <= index; i++) {
      const publicKey = this.node.deriveChild(i).publicKey!;
      const pubKeyHash = pubKeyHashOf(publicKey);
      this.cache.push({ address: encodeAddress(pubKeyHash), publicKey, pubKeyHash });
    }
    return this.cache[index]!;
  }
}

/** The private key of address i; the caller wipes it when done. */
export function privateKeyAt(seed: Uint8Array, index: number): Uint8Array {
  const node = HDKey.fromMasterSeed(seed).derive(`${CHAIN_PATH}/${index}`);
  const key = Uint8Array.from(node.privateKey!);
  node.wipePrivateData();
  return key;
}

/** Wallet import format as Bitcoin's mainnet: base58check(0x80 | key | 0x01), 0x01 = compressed public key. */
export function toWif(privateKey: Uint8Array): string {
  const payload = new Uint8Array(34);
  payload[0] = 0x80;
  payload.set(privateKey, 1);
  payload[33] = 0x01;
  return bs58check.encode(payload);
}
