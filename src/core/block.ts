// A block: the header, then a varint count and the transactions, each in its
// canonical encoding. This same byte string is what we store and send.
import { ByteReader, ByteWriter } from './bytes.js';
import { ValidationError } from './errors.js';
import { BlockHeader, HEADER_SIZE, readHeader, serializeHeader } from './header.js';
import { BatchHashers, batchHashersJs, spanDigest } from './hash.js';
import { Tx, readTx, txSize, writeTx, txidsOf } from './tx.js';
import { varintSize } from './bytes.js';

export interface Block {
  header: BlockHeader;
  txs: Tx[];
}

export function blockSize(b: Block): number {
  let n = HEADER_SIZE + varintSize(b.txs.length);
  for (const t of b.txs) n += txSize(t);
  return n;
}

export function serializeBlock(b: Block): Uint8Array {
  const w = new ByteWriter(blockSize(b));
  w.bytes(serializeHeader(b.header)).varint(b.txs.length);
  for (const t of b.txs) writeTx(w, t);
  return w.finish();
}

/**
 * The block's bytes (serializeBlock's) and every txid, hashed in one batch
 * over those same bytes: connecting a block needs both, and this serializes
 * it once. `size` is blockSize(b), when the caller has it.
 */
export function serializeWithTxids(b: Block, hashers: BatchHashers = batchHashersJs, size = blockSize(b)): { bytes: Uint8Array; txids: Uint8Array[] } {
  const w = new ByteWriter(size);
  w.bytes(serializeHeader(b.header)).varint(b.txs.length);
  const first = w.length;
  const ends: number[] = new Array(b.txs.length);
  for (let t = 0; t < b.txs.length; t++) {
    writeTx(w, b.txs[t]!);
    ends[t] = w.length - first;
  }
  const bytes = w.finish();
  const digests = hashers.sha256d(bytes.subarray(first), ends, b.txs.length);
  const txids: Uint8Array[] = new Array(b.txs.length);
  for (let t = 0; t < txids.length; t++) txids[t] = spanDigest(digests, t);
  return { bytes, txids };
}

/** `maxSize` is checked before parsing so an oversized payload costs nothing. */
export function parseBlock(bytes: Uint8Array, maxSize: number): Block {
  if (bytes.length > maxSize) throw new ValidationError('bad-blk-length', `block of ${bytes.length} bytes is above the ${maxSize}-byte limit`, 100);
  const r = new ByteReader(bytes, 'block');
  const header = readHeader(r);
  const n = r.varint();
  if (n === 0) throw new ValidationError('bad-blk-length', 'block has no transactions', 100);
  if (n * 50 > r.remaining) throw new ValidationError('bad-encoding', `block claims ${n} transactions, more than its bytes hold`, 20);
  const txs: Tx[] = new Array(n);
  for (let i = 0; i < n; i++) txs[i] = readTx(r);
  r.end();
  return { header, txs };
}

/** The txid of every transaction, in one batch (`hashers`: the chain passes the WASM kernel's). */
export function blockTxids(b: Block, hashers?: BatchHashers): Uint8Array[] {
  return txidsOf(b.txs, hashers);
}
