// Transactions in the tutorial's UTXO model, with one canonical encoding
// (docs/consensus.md). The txid is SHA256d of that encoding, signatures
// included: low-S, fixed-size compact signatures and compressed keys leave a
// third party no way to re-encode a relayed transaction under another id.
import { ByteReader, ByteWriter, bytesEqual, bytesKey, scratchWriter, varintSize } from './bytes.js';
import { ValidationError } from './errors.js';
import { BatchHashers, sha256d, batchHashersJs, spanDigest } from './hash.js';
import { PUBKEY_HASH_SIZE } from './keySizes.js';

export const TX_VERSION = 1;
export const NULL_HASH = new Uint8Array(32);
export const COINBASE_VOUT = 0xffffffff;
export const SIGNATURE_SIZE = 64;
export const PUBKEY_SIZE = 33;
export { PUBKEY_HASH_SIZE };
export const COINBASE_DATA_MIN = 12;
export const COINBASE_DATA_MAX = 100;
/** The coinbase's extra-nonce field: a u64 LE number, or these bytes as they are (a Stratum extranonce1 ‖ extranonce2). */
export const EXTRA_NONCE_SIZE = 8;

export interface TxInput {
  prevTxid: Uint8Array;
  vout: number;
  /** 64-byte compact (r || s) signature; for the coinbase, its data (height, extra-nonce, tag). */
  signature: Uint8Array;
  /** 33-byte compressed public key; empty for the coinbase. */
  pubKey: Uint8Array;
}

export interface TxOutput {
  value: number;
  pubKeyHash: Uint8Array;
}

export interface Tx {
  version: number;
  inputs: TxInput[];
  outputs: TxOutput[];
}

export function isCoinbase(tx: Tx): boolean {
  return tx.inputs.length === 1 && tx.inputs[0]!.vout === COINBASE_VOUT && bytesEqual(tx.inputs[0]!.prevTxid, NULL_HASH);
}

export function txSize(tx: Tx): number {
  let n = 4 + varintSize(tx.inputs.length) + varintSize(tx.outputs.length);
  for (const i of tx.inputs) n += 36 + varintSize(i.signature.length) + i.signature.length + varintSize(i.pubKey.length) + i.pubKey.length;
  return n + tx.outputs.length * (8 + PUBKEY_HASH_SIZE);
}

export function writeTx(w: ByteWriter, tx: Tx): void {
  w.u32(tx.version).varint(tx.inputs.length);
  for (const i of tx.inputs) w.bytes(i.prevTxid).u32(i.vout).varBytes(i.signature).varBytes(i.pubKey);
  w.varint(tx.outputs.length);
  for (const o of tx.outputs) w.u64(o.value).bytes(o.pubKeyHash);
}

export function serializeTx(tx: Tx): Uint8Array {
  const w = new ByteWriter(txSize(tx));
  writeTx(w, tx);
  return w.finish();
}

// Counts are bounded by what the largest block could hold, before any allocation.
const MIN_INPUT_SIZE = 36 + 2;
const OUTPUT_SIZE = 8 + PUBKEY_HASH_SIZE;

export function readTx(r: ByteReader): Tx {
  const version = r.u32();
  const nIn = r.varint();
  if (nIn * MIN_INPUT_SIZE > r.remaining) throw new ValidationError('bad-encoding', `transaction claims ${nIn} inputs, more than its bytes hold`, 20);
  const inputs: TxInput[] = new Array(nIn);
  for (let k = 0; k < nIn; k++) {
    inputs[k] = {
      prevTxid: r.copy(32),
      vout: r.u32(),
      signature: r.varCopy(COINBASE_DATA_MAX),
      pubKey: r.varCopy(PUBKEY_SIZE),
    };
  }
  const nOut = r.varint();
  if (nOut * OUTPUT_SIZE > r.remaining) throw new ValidationError('bad-encoding', `transaction claims ${nOut} outputs, more than its bytes hold`, 20);
  const outputs: TxOutput[] = new Array(nOut);
  for (let k = 0; k < nOut; k++) outputs[k] = { value: r.u64(), pubKeyHash: r.copy(PUBKEY_HASH_SIZE) };
  return { version, inputs, outputs };
}

export function parseTx(bytes: Uint8Array): Tx {
  const r = new ByteReader(bytes, 'transaction');
  const tx = readTx(r);
  r.end();
  return tx;
}

export function txid(tx: Tx): Uint8Array {
  const w = scratchWriter.reset();
  writeTx(w, tx);
  return sha256d(w.finish());
}

// The block-sized writer and message ends txidsOf reuses (synchronous callers only).
const blockWriter = new ByteWriter(1 << 16);
const blockEnds: number[] = [];

/** The txid of every transaction, the same bytes as txs.map(txid), hashed in one batch. */
export function txidsOf(txs: readonly Tx[], hashers: BatchHashers = batchHashersJs): Uint8Array[] {
  const w = blockWriter.reset();
  for (let t = 0; t < txs.length; t++) {
    writeTx(w, txs[t]!);
    blockEnds[t] = w.length;
  }
  const digests = hashers.sha256d(w.finish(), blockEnds, txs.length);
  const out: Uint8Array[] = new Array(txs.length);
  for (let t = 0; t < txs.length; t++) out[t] = spanDigest(digests, t);
  return out;
}

/** Coinbase data: height (u32 LE, as BIP34 commits it), extra-nonce (u64 LE, or 8 given bytes), optional tag. */
export function coinbaseData(height: number, extraNonce: number | Uint8Array, tag: Uint8Array = new Uint8Array(0)): Uint8Array {
  const w = new ByteWriter(COINBASE_DATA_MIN + tag.length).u32(height);
  if (typeof extraNonce === 'number') w.u64(extraNonce);
  else if (extraNonce.length === EXTRA_NONCE_SIZE) w.bytes(extraNonce);
  else throw new RangeError(`extra-nonce must be ${EXTRA_NONCE_SIZE} bytes, got ${extraNonce.length}`);
  return w.bytes(tag).finish();
}

export function coinbaseHeight(tx: Tx): number {
  const data = tx.inputs[0]!.signature;
  if (data.length < COINBASE_DATA_MIN) return -1;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
}

export function createCoinbase(height: number, outputs: TxOutput[], extraNonce: number | Uint8Array = 0, tag?: Uint8Array): Tx {
  return {
    version: TX_VERSION,
    inputs: [{ prevTxid: NULL_HASH, vout: COINBASE_VOUT, signature: coinbaseData(height, extraNonce, tag), pubKey: new Uint8Array(0) }],
    outputs,
  };
}

/**
 * An outpoint as a map key: the txid's 32 bytes, then the vout's 4 big-endian,
 * one latin1 char per byte (36 chars, no hex encoding on the hot path). It is
 * the coin's store key without its prefix byte. outpointLabel reads it for people.
 */
export function outpointKey(txidBytes: Uint8Array, vout: number): string {
  if (txidBytes.length !== 32) throw new RangeError(`a txid is 32 bytes, got ${txidBytes.length}`);
  return bytesKey(txidBytes) + String.fromCharCode(vout >>> 24, (vout >>> 16) & 0xff, (vout >>> 8) & 0xff, vout & 0xff);
}

/** The vout's 4 chars of an outpoint key, made once for the small vouts nearly every output has. */
const VOUT_CHARS: string[] = Array.from({ length: 256 }, (_, v) => String.fromCharCode(0, 0, 0, v));
const voutChars = (vout: number): string => (vout < 256 ? VOUT_CHARS[vout]! : String.fromCharCode(vout >>> 24, (vout >>> 16) & 0xff, (vout >>> 8) & 0xff, vout & 0xff));

/** outpointKey(txid, vout) from bytesKey(txid), for the outputs of one transaction. */
export function outpointKeyOf(txidKey: string, vout: number): string {
  if (txidKey.length !== 32) throw new RangeError(`a txid key is 32 chars, got ${txidKey.length}`);
  return txidKey + voutChars(vout);
}

export const OUTPOINT_KEY_CHARS = 36;

function checkOutpointKey(key: string): void {
  if (key.length !== OUTPOINT_KEY_CHARS) throw new RangeError(`not an outpoint key (${key.length} chars)`);
}

/** Writes the 36 bytes of an outpoint key into `out` at `at`. */
export function writeOutpointKey(key: string, out: Uint8Array, at: number): void {
  checkOutpointKey(key);
  for (let i = 0; i < OUTPOINT_KEY_CHARS; i++) out[at + i] = key.charCodeAt(i);
}

export function parseOutpointKey(key: string): { txid: Uint8Array; vout: number } {
  const vout = outpointKeyVout(key);
  const txid = new Uint8Array(32);
  for (let i = 0; i < 32; i++) txid[i] = key.charCodeAt(i);
  return { txid, vout };
}

/** The vout of an outpoint key, without parsing its txid. */
export function outpointKeyVout(key: string): number {
  checkOutpointKey(key);
  return ((key.charCodeAt(32) << 24) | (key.charCodeAt(33) << 16) | (key.charCodeAt(34) << 8) | key.charCodeAt(35)) >>> 0;
}

/** "<txid hex>:<vout>", for messages. */
export function outpointLabel(key: string): string {
  const { txid, vout } = parseOutpointKey(key);
  return `${Buffer.from(txid).toString('hex')}:${vout}`;
}
