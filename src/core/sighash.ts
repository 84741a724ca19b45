// What a signature signs. Per input i the message is
//   SHA256d( "pubchain-sighash-v1" | version u32 | hashPrevouts | hashOutputs
//            | i u32 | spent output's pubKeyHash | spent output's value u64 )
// hashPrevouts = SHA256d(every input's txid|vout), hashOutputs = SHA256d(every
// output's value|pubKeyHash). Changing any outpoint or any output breaks every
// signature; the two digests are computed once per transaction, not per input.
import { ByteWriter, scratchWriter } from './bytes.js';
import { BatchHashers, sha256d, sha256dInto, batchHashersJs, spanDigest } from './hash.js';
import { PUBKEY_HASH_SIZE, Tx } from './tx.js';

const TAG = new TextEncoder().encode('pubchain-sighash-v1');

export interface SpentOutput {
  value: number;
  pubKeyHash: Uint8Array;
}

export interface SighashCache {
  hashPrevouts: Uint8Array;
  hashOutputs: Uint8Array;
}

export function sighashCache(tx: Tx): SighashCache {
  const p = scratchWriter.reset();
  for (const i of tx.inputs) p.bytes(i.prevTxid).u32(i.vout);
  const hashPrevouts = sha256d(p.finish());
  const o = scratchWriter.reset();
  for (const out of tx.outputs) o.u64(out.value).bytes(out.pubKeyHash);
  return { hashPrevouts, hashOutputs: sha256d(o.finish()) };
}

export function sighash(tx: Tx, index: number, spent: SpentOutput, cache: SighashCache = sighashCache(tx)): Uint8Array {
  const w = scratchWriter.reset();
  w.bytes(TAG).u32(tx.version).bytes(cache.hashPrevouts).bytes(cache.hashOutputs).u32(index).bytes(spent.pubKeyHash).u64(spent.value);
  return sha256d(w.finish());
}

// The preimage of one input's sighash, reused: tag | version | hashPrevouts |
// hashOutputs is written once per transaction, then each input's tail.
const AT_VERSION = TAG.length;
const AT_PREVOUTS = AT_VERSION + 4;
const AT_OUTPUTS = AT_PREVOUTS + 32;
const AT_TAIL = AT_OUTPUTS + 32;
const PREIMAGE = new Uint8Array(AT_TAIL + 4 + PUBKEY_HASH_SIZE + 8);
PREIMAGE.set(TAG, 0);

function putU32(at: number, v: number): void {
  PREIMAGE[at] = v; PREIMAGE[at + 1] = v >>> 8; PREIMAGE[at + 2] = v >>> 16; PREIMAGE[at + 3] = v >>> 24;
}

/**
 * Every input's sighash, the same bytes as sighash(tx, i, spent[i]) for each i,
 * without a digest array or cache object per transaction: the connect path's
 * form. `spent` lines up with the inputs.
 */
export function sighashes(tx: Tx, spent: readonly SpentOutput[]): Uint8Array[] {
  const out: Uint8Array[] = new Array(tx.inputs.length);
  const p = scratchWriter.reset();
  for (const i of tx.inputs) p.bytes(i.prevTxid).u32(i.vout);
  sha256dInto(p.finish(), PREIMAGE, AT_PREVOUTS);
  const o = scratchWriter.reset();
  for (const x of tx.outputs) o.u64(x.value).bytes(x.pubKeyHash);
  sha256dInto(o.finish(), PREIMAGE, AT_OUTPUTS);
  putU32(AT_VERSION, tx.version);
  for (let index = 0; index < out.length; index++) {
    const s = spent[index]!;
    // A key hash of another width changes the preimage's length: the general form handles it.
    if (s.pubKeyHash.length !== PUBKEY_HASH_SIZE || !Number.isSafeInteger(s.value) || s.value < 0) { out[index] = sighash(tx, index, s); continue; }
    putU32(AT_TAIL, index);
    PREIMAGE.set(s.pubKeyHash, AT_TAIL + 4);
    const v = AT_TAIL + 4 + PUBKEY_HASH_SIZE;
    putU32(v, s.value % 0x100000000);
    putU32(v + 4, Math.floor(s.value / 0x100000000));
    out[index] = sha256d(PREIMAGE);
  }
  return out;
}

// The writer and message ends blockSighashes reuses (synchronous callers only).
const batchWriter = new ByteWriter(1 << 16);
const batchEnds: number[] = [];

/**
 * Every input's sighash of every transaction in `txs`, flat in input order:
 * the same bytes as sighashes(txs[t], spent[t]) for each t, in two batches
 * (every transaction's hashPrevouts and hashOutputs, then every preimage).
 * `spent[t]` lines up with txs[t]'s inputs.
 */
export function blockSighashes(txs: readonly Tx[], spent: readonly (readonly SpentOutput[])[], hashers: BatchHashers = batchHashersJs): Uint8Array[] {
  const w = batchWriter.reset();
  let n = 0;
  for (const tx of txs) {
    for (const i of tx.inputs) w.bytes(i.prevTxid).u32(i.vout);
    batchEnds[n++] = w.length;
    for (const x of tx.outputs) w.u64(x.value).bytes(x.pubKeyHash);
    batchEnds[n++] = w.length;
  }
  const digests = hashers.sha256d(w.finish(), batchEnds, n);
  w.reset();
  n = 0;
  for (let t = 0; t < txs.length; t++) {
    const tx = txs[t]!, coins = spent[t]!;
    for (let index = 0; index < tx.inputs.length; index++) {
      const s = coins[index]!;
      // hashPrevouts and hashOutputs: digests 2t and 2t + 1, side by side.
      w.bytes(TAG).u32(tx.version).range(digests, 64 * t, 64 * t + 64).u32(index).bytes(s.pubKeyHash).u64(s.value);
      batchEnds[n++] = w.length;
    }
  }
  const msgs = hashers.sha256d(w.finish(), batchEnds, n);
  const out: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = spanDigest(msgs, i);
  return out;
}
