// A block index entry: what we know about one stored block without reading it.
import { ByteReader } from '../core/bytes.js';
import { BlockHeader, HEADER_SIZE, readHeader, writeHeader } from '../core/header.js';

/**
 * stored: the block passed its sanity and context rules and is on disk, never connected;
 * valid: it was connected once, every rule and signature checked (its UTXO state is a
 *        function of its ancestors, so reconnecting it never needs the signatures again);
 * failed: connecting it broke a rule;  failed-child: an ancestor failed.
 */
export type BlockStatus = 'stored' | 'valid' | 'failed' | 'failed-child';

const STATUS_CODES: Record<BlockStatus, number> = { stored: 1, valid: 2, failed: 3, 'failed-child': 4 };
const STATUS_BY_CODE = new Map(Object.entries(STATUS_CODES).map(([k, v]) => [v, k as BlockStatus]));

export interface BlockIndexEntry {
  hash: Uint8Array;
  height: number;
  /** Cumulative proof of work from genesis through this block. */
  work: bigint;
  header: BlockHeader;
  status: BlockStatus;
}

export const isFailed = (e: BlockIndexEntry): boolean => e.status === 'failed' || e.status === 'failed-child';

const WORK_BYTES = 32;
const M64 = (1n << 64n) - 1n;
const TOP = 1n << 256n;

/** Cumulative work as 32 big-endian bytes at `at`. */
function putWork(view: DataView, at: number, work: bigint): void {
  if (work < 0n || work >= TOP) throw new RangeError('cumulative work above 2^256');
  view.setBigUint64(at, work >> 192n, false);
  view.setBigUint64(at + 8, (work >> 128n) & M64, false);
  view.setBigUint64(at + 16, (work >> 64n) & M64, false);
  view.setBigUint64(at + 24, work & M64, false);
}

function readWork(r: ByteReader): bigint {
  const b = r.bytes(WORK_BYTES);
  const v = new DataView(b.buffer, b.byteOffset, WORK_BYTES);
  return (v.getBigUint64(0, false) << 192n) | (v.getBigUint64(8, false) << 128n) | (v.getBigUint64(16, false) << 64n) | v.getBigUint64(24, false);
}

export function serializeIndexEntry(e: BlockIndexEntry): Uint8Array {
  const out = new Uint8Array(4 + WORK_BYTES + 1 + HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, e.height >>> 0, true);
  putWork(view, 4, e.work);
  out[4 + WORK_BYTES] = STATUS_CODES[e.status];
  writeHeader(out, view, 5 + WORK_BYTES, e.header);
  return out;
}

/**
 * A header-only entry: a header of the best header chain whose block we do not
 * have yet (headers-first sync, src/node/headerSyncChain.ts). It has no status:
 * its proof of work, bits and time were checked, nothing else. Stored apart
 * from the block index (prefix 'H'), so the chain never mistakes one for a block.
 */
export type HeaderEntry = Omit<BlockIndexEntry, 'status'>;

export function serializeHeaderEntry(e: HeaderEntry): Uint8Array {
  const out = new Uint8Array(4 + WORK_BYTES + HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, e.height >>> 0, true);
  putWork(view, 4, e.work);
  writeHeader(out, view, 4 + WORK_BYTES, e.header);
  return out;
}

export function parseHeaderEntry(hash: Uint8Array, bytes: Uint8Array): HeaderEntry {
  const r = new ByteReader(bytes, 'header entry');
  const height = r.u32();
  const work = readWork(r);
  const header = readHeader(r);
  r.end();
  return { hash: Uint8Array.from(hash), height, work, header };
}

export function parseIndexEntry(hash: Uint8Array, bytes: Uint8Array): BlockIndexEntry {
  const r = new ByteReader(bytes, 'block index entry');
  const height = r.u32();
  const work = readWork(r);
  const code = r.u8();
  const status = STATUS_BY_CODE.get(code);
  if (!status) throw new RangeError(`block index entry has unknown status ${code}`);
  const header = readHeader(r);
  r.end();
  return { hash: Uint8Array.from(hash), height, work, header, status };
}
