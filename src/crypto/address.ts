// Addresses: base58check(version 0x00 | HASH160(public key)), as Bitcoin's P2PKH.
import bs58check from 'bs58check';
import { PubchainError } from '../core/errors.js';
import { PUBKEY_HASH_SIZE } from '../core/keySizes.js';

export const ADDRESS_VERSION = 0x00;

export class AddressError extends PubchainError {}

export function encodeAddress(pubKeyHash: Uint8Array): string {
  if (pubKeyHash.length !== PUBKEY_HASH_SIZE) throw new RangeError('a public-key hash is 20 bytes');
  const payload = new Uint8Array(1 + PUBKEY_HASH_SIZE);
  payload[0] = ADDRESS_VERSION;
  payload.set(pubKeyHash, 1);
  return bs58check.encode(payload);
}

/** Returns the public-key hash, or throws an AddressError that says what is wrong. */
export function decodeAddress(address: string): Uint8Array {
  if (typeof address !== 'string' || address.length === 0) throw new AddressError('bad-address', 'invalid address: empty');
  const bad = /[^1-9A-HJ-NP-Za-km-z]/.exec(address);
  if (bad) throw new AddressError('bad-address', `invalid address "${address}": "${bad[0]}" is not a base58 character`);
  let payload: Uint8Array;
  try {
    payload = bs58check.decode(address);
  } catch {
    throw new AddressError('bad-address', `invalid address "${address}": checksum does not match (mistyped?)`);
  }
  if (payload.length !== 1 + PUBKEY_HASH_SIZE) throw new AddressError('bad-address', `invalid address "${address}": wrong length (${Math.max(0, payload.length - 1)} bytes of key hash instead of 20)`);
  if (payload[0] !== ADDRESS_VERSION) throw new AddressError('bad-address', `invalid address "${address}": version byte 0x${payload[0]!.toString(16).padStart(2, '0')} is not 0x00`);
  return payload.slice(1);
}

export function isValidAddress(address: string): boolean {
  try { decodeAddress(address); return true; } catch { return false; }
}
