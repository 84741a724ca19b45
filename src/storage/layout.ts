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
//   'f'     hash(32)                              the block's BIP158 basic filter (src/core/blockFilter.ts):
//                                                 filter header 32B | filter bytes. Written in the block's
//                                                 connect batch (--blockfilterindex), so a filter is on disk
//                                                 exactly when its block's connect is; kept by hash, so a
//                                                 reorganisation leaves each block's own filter correct and a
//                                                 block that leaves and rejoins the main chain reuses it.
//                                                 A block has a filter only once its parent has one, so the
//                                                 filtered part of the main chain is a prefix of it: open
//                                                 finds its end by bisection and builds the rest from the
//                                                 blocks and their undo data (src/chain/filterIndex.ts).
//   'H'     hash(32)                              header-only entry: height u32 | work 32B BE | header 80B
//                                                 (src/chain/blockIndex.ts): a header of the best header
//                                                 chain learnt in headers-first sync whose block is not stored
//                                                 yet. Each `headers` message's new entries go in one batch
//                                                 (a crash keeps whole messages); entries whose block is in
//                                                 the index ('i') are garbage, deleted at open and as blocks connect.
//   'm'     name (ASCII)                          meta:
//             "version"   layout version u32 BE (LAYOUT_VERSION), written with the genesis block.
//                         ChainStore.open refuses a database of another version, and one
//                         that holds keys but no version, rather than misread it.
//             "network"   network name (ASCII)
//             "genesis"   hash(32) of the genesis block
//             "tip"       hash(32) of the main-chain tip
//   Recovery markers (src/chain/recovery.ts reads them on open and finishes the job):
//             "best"      target hash(32) | tip-we-left hash(32): a reorganisation is under way.
//                         Written in the batch that stores the target block, deleted once the
//                         tip has settled; a crash in between resumes toward the target, or
//                         goes back to the tip we left when the target proved invalid.
//             "reindex"   u8 1: reindexUtxo() is under way. Written in the batch that wipes the
//                         coins, address index and undo data, deleted after the last block;
//                         a crash in between re-runs the reindex.
//             "addrindex" the address index ('a') is behind the coins ('c'); absent: it is current,
//                         kept in every block's batch (src/chain/addressIndex.ts, docs/storage.md):
//                           'd' | height u32 BE   deferred since that height (initial sync): blocks
//                                                 write no 'a' keys, and the 'a' range is stale.
//                           'b' [| outpoint 36B]  being built from the coins: every coin up to and
//                                                 including that outpoint (txid | vout BE; none yet
//                                                 without it) has its 'a' entry, kept by blocks; the
//                                                 coins above it have none. Each build step writes
//                                                 its entries and the new 'b' value in one batch.
//                         Written before the first block that skips 'a' ('d'), in the batch that wipes
//                         the 'a' range ('b' alone), and deleted in the last build step's batch. A crash
//                         while 'd' resumes deferral; while 'b', open finishes the build.
//
// Hashes and txids are stored in internal byte order (as hashed), not the
// reversed display order. Keys are built and read only through the helpers
// below (src/chain/chainStore.ts is their one user besides UtxoSet), never by
// hand offsets.

export const LAYOUT_VERSION = 1;

import { writeOutpointKey } from '../core/tx.js';
import { KeyReader, KeyWriter } from './keyCodec.js';

export const PREFIX = {
  block: 0x62, // 'b'
  index: 0x69, // 'i'
  height: 0x68, // 'h'
  coin: 0x63, // 'c'
  address: 0x61, // 'a'
  undo: 0x75, // 'u'
  filter: 0x66, // 'f'
  meta: 0x6d, // 'm'
  header: 0x48, // 'H'
} as const;

const HASH = 32;
const PKH = 20;
const U32 = 4;

const hashKey = (prefix: number, hash: Uint8Array): Uint8Array => new KeyWriter(prefix, HASH).bytes(hash, HASH, 'a hash key').key;

export const blockKey = (hash: Uint8Array): Uint8Array => hashKey(PREFIX.block, hash);
export const indexKey = (hash: Uint8Array): Uint8Array => hashKey(PREFIX.index, hash);
export const undoKey = (hash: Uint8Array): Uint8Array => hashKey(PREFIX.undo, hash);
export const filterKey = (hash: Uint8Array): Uint8Array => hashKey(PREFIX.filter, hash);
export const headerKey = (hash: Uint8Array): Uint8Array => hashKey(PREFIX.header, hash);

export function parseHeaderKey(key: Uint8Array): { hash: Uint8Array } {
  return { hash: new KeyReader(key, PREFIX.header, HASH, 'a header').bytes(HASH) };
}

/** The block hash of an index key. */
export function parseIndexKey(key: Uint8Array): { hash: Uint8Array } {
  return { hash: new KeyReader(key, PREFIX.index, HASH, 'an index').bytes(HASH) };
}

export const heightKey = (height: number): Uint8Array => new KeyWriter(PREFIX.height, U32).u32(height).key;

export const coinKey = (txid: Uint8Array, vout: number): Uint8Array =>
  new KeyWriter(PREFIX.coin, HASH + U32).bytes(txid, HASH, 'a txid').u32(vout).key;

export const addressKey = (pubKeyHash: Uint8Array, txid: Uint8Array, vout: number): Uint8Array =>
  new KeyWriter(PREFIX.address, PKH + HASH + U32).bytes(pubKeyHash, PKH, 'a public-key hash').bytes(txid, HASH, 'a txid').u32(vout).key;

/** Bytes of a coin key and of an address key. */
export const COIN_KEY_SIZE = 1 + HASH + U32;
export const ADDRESS_KEY_SIZE = 1 + PKH + HASH + U32;

/**
 * The coin key of an outpoint key (core/tx.ts outpointKey): the same 36 bytes behind the prefix, no parse.
 * `into` (COIN_KEY_SIZE bytes) receives it instead of a new array, as does addressKeyOf's.
 */
export function coinKeyOf(outpoint: string, into?: Uint8Array): Uint8Array {
  if (into && into.length !== COIN_KEY_SIZE) throw new RangeError(`a coin key needs ${COIN_KEY_SIZE} bytes, got ${into.length}`);
  const k = into ?? new Uint8Array(COIN_KEY_SIZE);
  k[0] = PREFIX.coin;
  writeOutpointKey(outpoint, k, 1);
  return k;
}

export function addressKeyOf(pubKeyHash: Uint8Array, outpoint: string, into?: Uint8Array): Uint8Array {
  const k = new KeyWriter(PREFIX.address, PKH + HASH + U32, into).bytes(pubKeyHash, PKH, 'a public-key hash').key;
  writeOutpointKey(outpoint, k, 1 + PKH);
  return k;
}

export const addressPrefix = (pubKeyHash: Uint8Array): Uint8Array =>
  new KeyWriter(PREFIX.address, PKH).bytes(pubKeyHash, PKH, 'a public-key hash').key;

export function parseAddressKey(key: Uint8Array): { pubKeyHash: Uint8Array; txid: Uint8Array; vout: number } {
  const r = new KeyReader(key, PREFIX.address, PKH + HASH + U32, 'an address');
  return { pubKeyHash: r.bytes(PKH), txid: r.bytes(HASH), vout: r.u32() };
}

export type MetaName = 'tip' | 'best' | 'genesis' | 'network' | 'version' | 'reindex' | 'addrindex';

export function metaKey(name: MetaName): Uint8Array {
  const k = new Uint8Array(1 + name.length);
  k[0] = PREFIX.meta;
  for (let i = 0; i < name.length; i++) k[i + 1] = name.charCodeAt(i);
  return k;
}

/** The first key of a prefix's range, and (with the next prefix) the bound that ends it. */
export const prefixOf = (p: number): Uint8Array => Uint8Array.of(p);

// ---- meta values ----------------------------------------------------------

export function versionValue(version: number): Uint8Array {
  const v = new Uint8Array(U32);
  new DataView(v.buffer).setUint32(0, version, false);
  return v;
}

/** The layout version a "version" value names, or null when the value is not a u32. */
export function parseVersionValue(v: Uint8Array): number | null {
  return v.length === U32 ? new DataView(v.buffer, v.byteOffset, U32).getUint32(0, false) : null;
}

/** The "best" marker: the reorganisation's target and the tip it leaves. */
export function bestValue(target: Uint8Array, left: Uint8Array): Uint8Array {
  const v = new Uint8Array(2 * HASH);
  v.set(target, 0);
  v.set(left, HASH);
  return v;
}

export function parseBestValue(v: Uint8Array): { target: Uint8Array; left: Uint8Array } {
  if (v.length !== 2 * HASH) throw new RangeError(`the "best" marker needs ${2 * HASH} bytes, got ${v.length}`);
  return { target: v.slice(0, HASH), left: v.slice(HASH) };
}

/** The outpoint (txid | vout BE, 36 bytes) of a coin key. */
export function coinKeyOutpoint(key: Uint8Array): Uint8Array {
  if (key.length !== 1 + HASH + U32 || key[0] !== PREFIX.coin) throw new RangeError(`not a coin key (${key.length} bytes)`);
  return key.slice(1);
}

/** The address key of a coin key and the coin's public-key hash. */
export function addressKeyOfCoinKey(pubKeyHash: Uint8Array, key: Uint8Array): Uint8Array {
  const k = new KeyWriter(PREFIX.address, PKH + HASH + U32).bytes(pubKeyHash, PKH, 'a public-key hash').key;
  k.set(coinKeyOutpoint(key), 1 + PKH);
  return k;
}

/** The smallest coin key above the coin key of `outpoint` (36 bytes): where a scan after it starts. */
export function coinKeyAfter(outpoint: Uint8Array): Uint8Array {
  const k = new Uint8Array(2 + HASH + U32);
  k[0] = PREFIX.coin;
  k.set(outpoint, 1);
  return k;
}

/** A block's filter entry: its filter header, then the filter. */
export function filterValue(header: Uint8Array, filter: Uint8Array): Uint8Array {
  const v = new Uint8Array(HASH + filter.length);
  v.set(header, 0);
  v.set(filter, HASH);
  return v;
}

export function parseFilterValue(v: Uint8Array): { header: Uint8Array; filter: Uint8Array } {
  if (v.length < HASH + 1) throw new RangeError(`a filter entry needs at least ${HASH + 1} bytes, got ${v.length}`);
  return { header: v.slice(0, HASH), filter: v.slice(HASH) };
}

// ---- the light wallet's sync (src/node/spv/lightStore.ts) ------------------
// A light node (BIP157 client) keeps its own RocksDB (<datadir>/spv), which it
// shares with the light wallet's coins (their keys have a prefix of their own).
// The sync's keys all start with 'L', then a one-letter kind:
//
//   'L' 'g'                 the genesis: network name length u8 | name (ASCII) | header 80B. Written once,
//                           when the first peer's genesis block passed its proof of work (or --genesis).
//   'L' 'h' hash(32)        header-only entry, the same bytes as 'H' (height u32 | work 32B BE | header 80B):
//                           the light node's header chain above the genesis, one batch per `headers` message.
//   'L' 'f' hash(32)        the BIP157 filter header (32B) of that block, once checked (cross-checked when two
//                           peers were connected). Kept by block hash, so a reorganisation leaves every block's
//                           own filter header right; one batch per `cfheaders` range.
export const LIGHT_PREFIX = 0x4c; // 'L'
export const LIGHT_KIND = { genesis: 0x67, header: 0x68, filterHeader: 0x66 } as const;

export const lightGenesisKey = (): Uint8Array => Uint8Array.of(LIGHT_PREFIX, LIGHT_KIND.genesis);
const lightHashKey = (kind: number, hash: Uint8Array): Uint8Array => {
  if (hash.length !== HASH) throw new RangeError(`a light key needs a ${HASH}-byte hash, got ${hash.length}`);
  const k = new Uint8Array(2 + HASH);
  k[0] = LIGHT_PREFIX;
  k[1] = kind;
  k.set(hash, 2);
  return k;
};
export const lightHeaderKey = (hash: Uint8Array): Uint8Array => lightHashKey(LIGHT_KIND.header, hash);
export const lightFilterHeaderKey = (hash: Uint8Array): Uint8Array => lightHashKey(LIGHT_KIND.filterHeader, hash);
export const lightKindPrefix = (kind: number): Uint8Array => Uint8Array.of(LIGHT_PREFIX, kind);
/** The block hash of an 'L' 'h' or 'L' 'f' key. */
export function parseLightHashKey(key: Uint8Array): Uint8Array {
  if (key.length !== 2 + HASH || key[0] !== LIGHT_PREFIX) throw new RangeError(`not a light key (${key.length} bytes)`);
  return key.slice(2);
}

// ---- the light wallet's keys (startnode --spv) ------------------------------
// A light node's RocksDB is opened by its sync (src/node/spv/), which hands the
// wallet's coin store (src/wallet/lightCoins.ts) the same database for keys
// under one prefix of its own, 'W', followed by a one-letter kind:
//
//   'W' 'm'                  the last applied block: height u32 BE | hash(32). Written in the same batch
//                            as that block's coin changes; a header-only block only moves it, and those
//                            moves are batched (a crash replays a few header-only blocks, which change nothing).
//   'W' 'h' height u32 BE    hash(32) of the applied block at that height (for disconnecting back past it)
//   'W' 'c' txid(32) vout u32 BE   a wallet coin: serializeCoin (value u64 | pkh 20B | height u32 | coinbase u8)
//   'W' 'u' hash(32)         undo of a block whose body was applied: what it added and removed, and the
//                            wallet's transactions it confirmed (src/wallet/lightRecords.ts)
//   'W' 'p' txid(32)         a transaction this wallet sent that no block holds yet: sentAt u32 | tx bytes

export const LIGHT_WALLET_PREFIX = 0x57; // 'W'
const lightKind = { marker: 0x6d, height: 0x68, coin: 0x63, undo: 0x75, pending: 0x70 } as const;

const lightKey = (kind: number, width: number): KeyWriter => {
  const w = new KeyWriter(LIGHT_WALLET_PREFIX, 1 + width);
  w.key[1] = kind;
  return w.skip(1);
};

export const lightMarkerKey = (): Uint8Array => Uint8Array.of(LIGHT_WALLET_PREFIX, lightKind.marker);
export const lightHeightKey = (height: number): Uint8Array => lightKey(lightKind.height, U32).u32(height).key;
export const lightCoinKey = (txid: Uint8Array, vout: number): Uint8Array =>
  lightKey(lightKind.coin, HASH + U32).bytes(txid, HASH, 'a txid').u32(vout).key;
export const lightUndoKey = (hash: Uint8Array): Uint8Array => lightKey(lightKind.undo, HASH).bytes(hash, HASH, 'a hash').key;
export const lightPendingKey = (txid: Uint8Array): Uint8Array => lightKey(lightKind.pending, HASH).bytes(txid, HASH, 'a txid').key;
/** The range of every light wallet key of one kind. */
export const lightWalletRange = (kind: 'coin' | 'pending'): Uint8Array => Uint8Array.of(LIGHT_WALLET_PREFIX, lightKind[kind]);

export function parseLightCoinKey(key: Uint8Array): { txid: Uint8Array; vout: number } {
  if (key.length !== 2 + HASH + U32 || key[0] !== LIGHT_WALLET_PREFIX || key[1] !== lightKind.coin) throw new RangeError('not a light wallet coin key');
  const r = new KeyReader(key.subarray(1), lightKind.coin, HASH + U32, 'a light wallet coin');
  return { txid: r.bytes(HASH), vout: r.u32() };
}

export function lightPointValue(height: number, hash: Uint8Array): Uint8Array {
  const v = new Uint8Array(U32 + HASH);
  new DataView(v.buffer).setUint32(0, height, false);
  v.set(hash, U32);
  return v;
}

export function parseLightPointValue(v: Uint8Array): { height: number; hash: Uint8Array } {
  if (v.length !== U32 + HASH) throw new RangeError(`a light wallet marker needs ${U32 + HASH} bytes, got ${v.length}`);
  return { height: new DataView(v.buffer, v.byteOffset, U32).getUint32(0, false), hash: v.slice(U32) };
}
