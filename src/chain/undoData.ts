// Undo data: the coins a block spent, with their outpoints, in input order.
// Disconnecting the block deletes what it created and puts these back.
// Each entry: txid(32) | vout u32 LE | coin (serializeCoin).
import { ByteReader, ByteWriter, varintSize } from '../core/bytes.js';
import { Coin, COIN_SIZE, readCoin, writeCoin } from '../core/coin.js';
import { OUTPOINT_KEY_CHARS, outpointKeyVout } from '../core/tx.js';

export interface SpentCoin {
  txid: Uint8Array;
  vout: number;
  coin: Coin;
}

const ENTRY_SIZE = 32 + 4 + COIN_SIZE;

export function serializeUndo(spent: SpentCoin[]): Uint8Array {
  const w = new ByteWriter(varintSize(spent.length) + spent.length * ENTRY_SIZE);
  w.varint(spent.length);
  for (const s of spent) writeCoin(w.bytes(s.txid).u32(s.vout), s.coin);
  return w.finish();
}

/** The same bytes from a checked block's spent coins by outpoint key (ConnectResult.spent), with no txid copies. */
export function serializeSpent(spent: ReadonlyArray<{ key: string; coin: Coin }>): Uint8Array {
  const w = new ByteWriter(varintSize(spent.length) + spent.length * ENTRY_SIZE);
  w.varint(spent.length);
  for (const s of spent) writeCoin(w.latin1(s.key, 0, OUTPOINT_KEY_CHARS - 4).u32(outpointKeyVout(s.key)), s.coin);
  return w.finish();
}

export function parseUndo(bytes: Uint8Array): SpentCoin[] {
  const r = new ByteReader(bytes, 'undo data');
  const n = r.varint();
  if (n * ENTRY_SIZE > r.remaining) throw new RangeError(`undo data claims ${n} entries, more than its bytes hold`);
  const out: SpentCoin[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { txid: r.copy(32), vout: r.u32(), coin: readCoin(r) };
  r.end();
  return out;
}
