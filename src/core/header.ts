// The 80-byte block header, laid out exactly as Bitcoin's. The height is not in
// the header: it is in the coinbase (BIP34) and in the stored block index.
import { ByteReader } from './bytes.js';
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
  const out = new Uint8Array(HEADER_SIZE);
  writeHeader(out, new DataView(out.buffer), 0, h);
  return out;
}

/** Writes the 80 bytes at `at` of `out` (`view` over out's buffer, at out's offset 0). */
export function writeHeader(out: Uint8Array, view: DataView, at: number, h: BlockHeader): void {
  if (h.prevHash.length !== 32 || h.merkleRoot.length !== 32) throw new RangeError('header hashes must be 32 bytes');
  view.setUint32(at, h.version >>> 0, true);
  out.set(h.prevHash, at + 4);
  out.set(h.merkleRoot, at + 36);
  view.setUint32(at + 68, h.time >>> 0, true);
  view.setUint32(at + 72, h.bits >>> 0, true);
  view.setUint32(at + 76, h.nonce >>> 0, true);
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

/**
 * A header's hash is asked for several times on its way in (the message, the
 * download, the chain, the sanity rules), so the last MEMO_SIZE hashes are
 * remembered per header object, with the header's fields as they were hashed:
 * a header changed since (a miner trying nonces) is hashed again. Each call
 * returns its own copy. The fields and bytes live in slots of two fixed
 * arrays, a ring; the WeakMap only names a header's slot, and a slot taken
 * over by a newer header no longer answers for the old one (no allocation per
 * header but the WeakMap's entry).
 */
const MEMO_SIZE = 4096;
const memo = new WeakMap<BlockHeader, number>();
const memoOwner: Array<BlockHeader | undefined> = new Array<BlockHeader | undefined>(MEMO_SIZE);
/** Per slot: version, time, bits, nonce as hashed. */
const memoFields = new Float64Array(MEMO_SIZE * 4);
/** Per slot: prevHash | merkleRoot | the hash. */
const memoBytes = new Uint8Array(MEMO_SIZE * 96);
let memoAt = 0;
const scratch = new Uint8Array(HEADER_SIZE);
const scratchView = new DataView(scratch.buffer);

/** A copy of the remembered hash of `h`, or null when it was not hashed as it is now. */
function remembered(h: BlockHeader): Uint8Array | null {
  const slot = memo.get(h);
  if (slot === undefined || memoOwner[slot] !== h) return null;
  const f = slot * 4;
  if (memoFields[f] !== h.version || memoFields[f + 1] !== h.time || memoFields[f + 2] !== h.bits || memoFields[f + 3] !== h.nonce) return null;
  const p = h.prevHash, r = h.merkleRoot;
  if (p.length !== 32 || r.length !== 32) return null;
  const b = memoBytes, o = slot * 96;
  for (let i = 0; i < 32; i++) if (b[o + i] !== p[i] || b[o + 32 + i] !== r[i]) return null;
  return b.slice(o + 64, o + 96);
}

export function headerHash(h: BlockHeader): Uint8Array {
  const known = remembered(h);
  if (known) return known;
  writeHeader(scratch, scratchView, 0, h);
  return remember(h, sha256d(scratch));
}

/** Both headers' fields are equal, so they are the same 80 bytes (a version is compared as its 32-bit pattern). */
export function sameHeader(a: BlockHeader, b: BlockHeader): boolean {
  if ((a.version >>> 0) !== (b.version >>> 0) || a.time !== b.time || a.bits !== b.bits || a.nonce !== b.nonce) return false;
  const ap = a.prevHash, bp = b.prevHash, am = a.merkleRoot, bm = b.merkleRoot;
  if (ap.length !== 32 || bp.length !== 32 || am.length !== 32 || bm.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (ap[i] !== bp[i] || am[i] !== bm[i]) return false;
  return true;
}

/**
 * headerHash of `h` without hashing it when `known` is the same header
 * (compared field by field: sameHeader) and `known.hash` is the hash this node
 * computed of it (a header entry's, from the headers message): a block whose
 * header came first in headers-first sync is not hashed twice. Any other
 * header, or a null `known`, is hashed. Either way later calls hit the memo.
 */
export function headerHashFrom(h: BlockHeader, known: { hash: Uint8Array; header: BlockHeader } | null | undefined): Uint8Array {
  if (!known || !sameHeader(known.header, h)) return headerHash(h);
  return remembered(h) ?? remember(h, known.hash.slice());
}

/** `hash` (the caller's from here on) as the hash of `h` with its fields now; prevHash and merkleRoot are 32 bytes. */
function remember(h: BlockHeader, hash: Uint8Array): Uint8Array {
  const slot = memoAt;
  memoAt = (slot + 1) % MEMO_SIZE;
  // The slot's last owner leaves the WeakMap too, so it holds at most MEMO_SIZE headers (a large WeakMap slows every full GC).
  const old = memoOwner[slot];
  if (old !== undefined && memo.get(old) === slot) memo.delete(old);
  memoOwner[slot] = h;
  memo.set(h, slot);
  const f = slot * 4;
  memoFields[f] = h.version; memoFields[f + 1] = h.time; memoFields[f + 2] = h.bits; memoFields[f + 3] = h.nonce;
  const o = slot * 96;
  memoBytes.set(h.prevHash, o);
  memoBytes.set(h.merkleRoot, o + 32);
  memoBytes.set(hash, o + 64);
  return hash;
}
