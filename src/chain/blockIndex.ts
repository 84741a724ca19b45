// A block index entry: what we know about one stored block without reading it.
import { ByteReader, ByteWriter } from '../core/bytes.js';
import { BlockHeader, readHeader, serializeHeader } from '../core/header.js';

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

function workBytes(work: bigint): Uint8Array {
  const out = new Uint8Array(WORK_BYTES);
  let w = work;
  for (let i = WORK_BYTES - 1; i >= 0; i--) { out[i] = Number(w & 0xffn); w >>= 8n; }
  if (w !== 0n) throw new RangeError('cumulative work above 2^256');
  return out;
}

export function serializeIndexEntry(e: BlockIndexEntry): Uint8Array {
  return new ByteWriter(4 + WORK_BYTES + 1 + 80).u32(e.height).bytes(workBytes(e.work)).u8(STATUS_CODES[e.status]).bytes(serializeHeader(e.header)).finish();
}

/**
 * A header-only entry: a header of the best header chain whose block we do not
 * have yet (headers-first sync, src/node/headerSyncChain.ts). It has no status:
 * its proof of work, bits and time were checked, nothing else. Stored apart
 * from the block index (prefix 'H'), so the chain never mistakes one for a block.
 */
export type HeaderEntry = Omit<BlockIndexEntry, 'status'>;

export function serializeHeaderEntry(e: HeaderEntry): Uint8Array {
  return new ByteWriter(4 + WORK_BYTES + 80).u32(e.height).bytes(workBytes(e.work)).bytes(serializeHeader(e.header)).finish();
}

export function parseHeaderEntry(hash: Uint8Array, bytes: Uint8Array): HeaderEntry {
  const r = new ByteReader(bytes, 'header entry');
  const height = r.u32();
  let work = 0n;
  for (const b of r.bytes(WORK_BYTES)) work = (work << 8n) | BigInt(b);
  const header = readHeader(r);
  r.end();
  return { hash: Uint8Array.from(hash), height, work, header };
}

export function parseIndexEntry(hash: Uint8Array, bytes: Uint8Array): BlockIndexEntry {
  const r = new ByteReader(bytes, 'block index entry');
  const height = r.u32();
  let work = 0n;
  for (const b of r.bytes(WORK_BYTES)) work = (work << 8n) | BigInt(b);
  const code = r.u8();
  const status = STATUS_BY_CODE.get(code);
  if (!status) throw new RangeError(`block index entry has unknown status ${code}`);
  const header = readHeader(r);
  r.end();
  return { hash: Uint8Array.from(hash), height, work, header, status };
}
