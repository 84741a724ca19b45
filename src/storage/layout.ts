// Every key the node stores, in one place. A key is a one-byte prefix (an ASCII
// letter, so a raw dump is readable) followed by fixed-width fields; integers
// inside keys are big-endian so that key order is numeric order.
//
//   prefix  key                                   value
//   'b'     hash(32)                              block bytes (serializeBlock)
//   'i'     hash(32)                              block index entry: height u32 | work 32B BE | status u8 | header 80B
//                                                 (src/chain/blockIndex.ts)
//   'h'     height u32 BE                         hash(32) of the main-chain block at that height
//   'c'     txid(32) | vout u32 BE                unspent coin (serializeCoin: value u64 | pkh 20B | height u32 | coinbase u8)
//   'a'     pkh(20) | txid(32) | vout u32 BE      same coin bytes: the address index, so a balance or a
//                                                 coin selection reads one key range, never the whole set
//   'u'     hash(32)                              undo data of a connected block: the coins it spent
//                                                 (src/chain/undoData.ts)
//   'm'     name (ASCII)                          meta:
//             "tip"       hash(32) of the main-chain tip
//             "best"      hash(32) of the most-work block stored, when the tip is
//                         still moving toward it (a reorg resumes after a crash)
//             "genesis"   hash(32) of the genesis block
//             "network"   network name (ASCII)
//             "version"   layout version u32
//             "reindex"   present while reindexUtxo() runs; a crash mid-way re-runs it on open
//
// Hashes and txids are stored in internal byte order (as hashed), not the
// reversed display order.

export const LAYOUT_VERSION = 1;

export const PREFIX = {
  block: 0x62, // 'b'
  index: 0x69, // 'i'
  height: 0x68, // 'h'
  coin: 0x63, // 'c'
  address: 0x61, // 'a'
  undo: 0x75, // 'u'
  meta: 0x6d, // 'm'
} as const;

function hashKey(prefix: number, hash: Uint8Array): Uint8Array {
  if (hash.length !== 32) throw new RangeError(`a hash key needs 32 bytes, got ${hash.length}`);
  const k = new Uint8Array(33);
  k[0] = prefix;
  k.set(hash, 1);
  return k;
}

export const blockKey = (hash: Uint8Array): Uint8Array => hashKey(PREFIX.block, hash);
export const indexKey = (hash: Uint8Array): Uint8Array => hashKey(PREFIX.index, hash);
export const undoKey = (hash: Uint8Array): Uint8Array => hashKey(PREFIX.undo, hash);

export function heightKey(height: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = PREFIX.height;
  new DataView(k.buffer).setUint32(1, height, false);
  return k;
}

export function coinKey(txid: Uint8Array, vout: number): Uint8Array {
  if (txid.length !== 32) throw new RangeError(`a txid needs 32 bytes, got ${txid.length}`);
  const k = new Uint8Array(37);
  k[0] = PREFIX.coin;
  k.set(txid, 1);
  new DataView(k.buffer).setUint32(33, vout, false);
  return k;
}

export function addressKey(pubKeyHash: Uint8Array, txid: Uint8Array, vout: number): Uint8Array {
  if (pubKeyHash.length !== 20) throw new RangeError(`a public-key hash needs 20 bytes, got ${pubKeyHash.length}`);
  const k = new Uint8Array(57);
  k[0] = PREFIX.address;
  k.set(pubKeyHash, 1);
  k.set(txid, 21);
  new DataView(k.buffer).setUint32(53, vout, false);
  return k;
}

export function addressPrefix(pubKeyHash: Uint8Array): Uint8Array {
  const k = new Uint8Array(21);
  k[0] = PREFIX.address;
  k.set(pubKeyHash, 1);
  return k;
}

/** The outpoint at the end of an address-index key. */
export function outpointOfAddressKey(key: Uint8Array): { txid: Uint8Array; vout: number } {
  return { txid: key.slice(21, 53), vout: new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(53, false) };
}

export function outpointOfCoinKey(key: Uint8Array): { txid: Uint8Array; vout: number } {
  return { txid: key.slice(1, 33), vout: new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(33, false) };
}

export type MetaName = 'tip' | 'best' | 'genesis' | 'network' | 'version' | 'reindex';

export function metaKey(name: MetaName): Uint8Array {
  const k = new Uint8Array(1 + name.length);
  k[0] = PREFIX.meta;
  for (let i = 0; i < name.length; i++) k[i + 1] = name.charCodeAt(i);
  return k;
}

export const prefixOf = (p: number): Uint8Array => Uint8Array.of(p);
