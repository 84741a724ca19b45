// The 80-byte block header, laid out exactly as Bitcoin's. The height is not in
// the header: it is in the coinbase (BIP34) and in the stored block index.
import { ByteReader, ByteWriter } from './bytes.js';
import { ValidationError } from './errors.js';
import { sha256d } from './hash.js';

export const HEADER_SIZE = 80;

export interface BlockHeader {
  version: number;
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}

export function serializeHeader(h: BlockHeader): Uint8Array {
  if (h.prevHash.length !== 32 || h.merkleRoot.length !== 32) throw new RangeError('header hashes must be 32 bytes');
  return new ByteWriter(HEADER_SIZE).u32(h.version).bytes(h.prevHash).bytes(h.merkleRoot).u32(h.time).u32(h.bits).u32(h.nonce).finish();
}

export function readHeader(r: ByteReader): BlockHeader {
  return {
    version: r.u32(),
    prevHash: Uint8Array.from(r.bytes(32)),
    merkleRoot: Uint8Array.from(r.bytes(32)),
    time: r.u32(),
    bits: r.u32(),
    nonce: r.u32(),
  };
}

export function parseHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length !== HEADER_SIZE) throw new ValidationError('bad-encoding', `a header is 80 bytes, got ${bytes.length}`, 20);
  return readHeader(new ByteReader(bytes, 'header'));
}

export function headerHash(h: BlockHeader): Uint8Array {
  return sha256d(serializeHeader(h));
}
