// Undo data: the coins a block spent, with their outpoints, in input order.
// Disconnecting the block deletes what it created and puts these back.
import { ByteReader, ByteWriter } from '../core/bytes.js';
import { Coin, readCoin, serializeCoin } from '../core/coin.js';

export interface SpentCoin {
  txid: Uint8Array;
  vout: number;
  coin: Coin;
}

const ENTRY_SIZE = 32 + 4 + 33;

export function serializeUndo(spent: SpentCoin[]): Uint8Array {
  const w = new ByteWriter(5 + spent.length * ENTRY_SIZE);
  w.varint(spent.length);
  for (const s of spent) w.bytes(s.txid).u32(s.vout).bytes(serializeCoin(s.coin));
  return w.finish();
}

export function parseUndo(bytes: Uint8Array): SpentCoin[] {
  const r = new ByteReader(bytes, 'undo data');
  const n = r.varint();
  if (n * ENTRY_SIZE > r.remaining) throw new RangeError(`undo data claims ${n} entries, more than its bytes hold`);
  const out: SpentCoin[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { txid: Uint8Array.from(r.bytes(32)), vout: r.u32(), coin: readCoin(r) };
  r.end();
  return out;
}
