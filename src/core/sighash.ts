// What a signature signs. Per input i the message is
//   SHA256d( "pubchain-sighash-v1" | version u32 | hashPrevouts | hashOutputs
//            | i u32 | spent output's pubKeyHash | spent output's value u64 )
// hashPrevouts = SHA256d(every input's txid|vout), hashOutputs = SHA256d(every
// output's value|pubKeyHash). Changing any outpoint or any output breaks every
// signature; the two digests are computed once per transaction, not per input.
import { scratchWriter } from './bytes.js';
import { sha256d } from './hash.js';
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
