// Compact block filters: what building them costs a full node, and how often
// they match what they do not hold. A chain of 5,000 blocks (1,000 with
// --quick) of 10 one-in-two-out transactions each, paying 500 keys at random,
// with the wallet's 5 addresses paid in about 1% of the blocks, is connected
// on RocksDB with --blockfilterindex on, signatures verified inline (the
// chain's default), blocks submitted as sync submits them.
//   filters.connectShare       filter building / block connect time (target ≤ 10%)
//   filters.buildMsPerBlock    the cost per block behind that share
//   filters.bytesPerBlock      the average filter size
//   filters.falsePositiveRate  random non-members matched, against the expected 1/M
//   filters.walletBlocksMatched blocks whose filter matches the wallet / blocks paying it (≥ 1: no false negatives)
// Not gated (bench/run.ts GATED): reported only. Run: node dist/bench/filters.js [--quick]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tiny from 'tiny-secp256k1';
import { Chain } from '../src/chain/chain.js';
import { Block } from '../src/core/block.js';
import { filterKeyOf } from '../src/core/blockFilter.js';
import { countMatches, filterMatchesAny, GCS_M } from '../src/core/gcs.js';
import { sha256 } from '../src/core/hash.js';
import { headerHash } from '../src/core/header.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { blockSubsidy, REGTEST } from '../src/core/params.js';
import { sighash, sighashCache } from '../src/core/sighash.js';
import { createCoinbase, NULL_HASH, Tx, TX_VERSION, txid } from '../src/core/tx.js';
import { publicKeyOf, pubKeyHashOf } from '../src/crypto/keys.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { submitBlocks } from './submitBlocks.js';
import type { BenchModuleOutput, BenchOptions, BenchResult } from './types.js';
import { mine as mineRegtest } from '../test/helpers/chainFixtures.js';

const params = REGTEST;
const T0 = 1_700_000_000;
const TXS_PER_BLOCK = 10;
const KEYS = 500;
const WALLET_KEYS = 5;
/** The wallet is paid in one block of this many. */
const WALLET_EVERY = 100;

interface Key { priv: Uint8Array; pub: Uint8Array; pkh: Uint8Array }
interface Coin { txid: Uint8Array; vout: number; value: number; key: Key }

const keyOf = (tag: string): Key => {
  const priv = sha256(new TextEncoder().encode(tag));
  const pub = publicKeyOf(priv);
  return { priv, pub, pkh: pubKeyHashOf(pub) };
};

/** A small deterministic generator (xorshift32), so every run builds the same chain. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

export interface FilterBenchChain { genesis: Block; blocks: Block[]; wallet: Key[]; walletBlocks: Set<number> }

export function buildFilterBenchChain(n: number, txsPerBlock = TXS_PER_BLOCK): FilterBenchChain {
  const rand = rng(158);
  const keys = Array.from({ length: KEYS }, (_, i) => keyOf(`filters bench key ${i}`));
  const wallet = Array.from({ length: WALLET_KEYS }, (_, i) => keyOf(`filters bench wallet ${i}`));
  const byPkh = new Map(keys.map((k) => [Buffer.from(k.pkh).toString('hex'), k]));
  const spend = (c: Coin, to: Key[]): Tx => {
    const half = Math.floor(c.value / 2);
    const tx: Tx = { version: TX_VERSION, inputs: [{ prevTxid: c.txid, vout: c.vout, signature: new Uint8Array(64), pubKey: c.key.pub }], outputs: [{ value: half, pubKeyHash: to[0]!.pkh }, { value: c.value - half, pubKeyHash: to[1]!.pkh }] };
    tx.inputs[0]!.signature = tiny.sign(sighash(tx, 0, { value: c.value, pubKeyHash: c.key.pkh }, sighashCache(tx)), c.key.priv);
    return tx;
  };
  const makeBlock = (prevHash: Uint8Array, height: number, txs: Tx[]): Block => {
    const all = [createCoinbase(height, [{ value: blockSubsidy(params, height), pubKeyHash: keys[height % KEYS]!.pkh }]), ...txs];
    return mineRegtest({ header: { version: 1, prevHash, merkleRoot: merkleRootJs(all.map(txid)), time: T0 + height * 10, bits: params.genesisBits, nonce: 0 }, txs: all });
  };
  const genesis = makeBlock(NULL_HASH, params.genesisHeight, []);
  // One fan-out: the genesis coin split into the coins the first block spends.
  const gcoin: Coin = { txid: txid(genesis.txs[0]!), vout: 0, value: genesis.txs[0]!.outputs[0]!.value, key: keys[params.genesisHeight % KEYS]! };
  const share = Math.floor(gcoin.value / (2 * txsPerBlock));
  const fan: Tx = { version: TX_VERSION, inputs: [{ prevTxid: gcoin.txid, vout: 0, signature: new Uint8Array(64), pubKey: gcoin.key.pub }], outputs: Array.from({ length: 2 * txsPerBlock }, (_, i) => ({ value: share, pubKeyHash: keys[i % KEYS]!.pkh })) };
  fan.inputs[0]!.signature = tiny.sign(sighash(fan, 0, { value: gcoin.value, pubKeyHash: gcoin.key.pkh }, sighashCache(fan)), gcoin.key.priv);
  const blocks = [makeBlock(headerHash(genesis.header), params.genesisHeight + 1, [fan])];
  let coins: Coin[] = fan.outputs.map((o, vout) => ({ txid: txid(fan), vout, value: o.value, key: keys[vout % KEYS]! }));
  const walletBlocks = new Set<number>();
  for (let b = 0; b < n; b++) {
    const paysWallet = b % WALLET_EVERY === WALLET_EVERY / 2;
    const txs = coins.slice(0, txsPerBlock).map((c, i) => {
      const to = [keys[rand() % KEYS]!, paysWallet && i === 0 ? wallet[rand() % WALLET_KEYS]! : keys[rand() % KEYS]!];
      return spend(c, to);
    });
    if (paysWallet) walletBlocks.add(blocks.length);
    const next: Coin[] = [];
    for (const tx of txs) {
      const id = txid(tx);
      tx.outputs.forEach((o, vout) => {
        const key = byPkh.get(Buffer.from(o.pubKeyHash).toString('hex'));
        // The wallet's coins stay where they are; the rest are spent again later.
        if (key) next.push({ txid: id, vout, value: o.value, key });
      });
    }
    coins = [...coins.slice(txsPerBlock), ...next];
    const prev = blocks[blocks.length - 1]!;
    blocks.push(makeBlock(headerHash(prev.header), params.genesisHeight + 1 + blocks.length, txs));
  }
  return { genesis, blocks, wallet, walletBlocks };
}

export async function benchFilters(opts: BenchOptions): Promise<BenchModuleOutput> {
  const n = opts.quick ? 1000 : 5000;
  const built = buildFilterBenchChain(n);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pubchain-bench-filters-'));
  try {
    const chain = await Chain.open(await RocksStore.open(dir), params, { now: () => T0 + 10_000_000, blockFilters: true });
    try {
      await chain.initGenesis(built.genesis);
      await chain.processBlock(built.blocks[0]!);
      const index = chain.filterIndex!;
      const before = { ...index.stats };
      let connectMs = 0;
      chain.on('connect', (_b, _h, ms) => { connectMs += ms; });
      await submitBlocks(chain, built.blocks.slice(1), 4);
      const filterMs = index.stats.ms - before.ms;
      const blocks = index.stats.blocks - before.blocks;

      // Every filter, checked for the wallet and against random non-members.
      const hashes = built.blocks.map((b) => headerHash(b.header));
      const entries = await index.getEntries(hashes);
      const rand = rng(157);
      const queriesPerFilter = opts.quick ? 500 : 2000;
      let bytes = 0;
      let falsePositives = 0;
      let queries = 0;
      let walletMatched = 0;
      const walletPkhs = built.wallet.map((k) => k.pkh);
      entries.forEach((e, i) => {
        const key = filterKeyOf(hashes[i]!);
        bytes += e!.filter.length;
        if (filterMatchesAny(e!.filter, key, walletPkhs)) walletMatched++;
        // 21-byte queries: never a public-key hash, so every match is a false positive.
        const qs = Array.from({ length: queriesPerFilter }, () => Uint8Array.of(0xee, ...Array.from({ length: 20 }, () => rand() & 0xff)));
        falsePositives += countMatches(e!.filter, key, qs);
        queries += qs.length;
      });
      const fpRate = falsePositives / queries;
      const results: BenchResult[] = [
        { name: 'filters.connectShare', value: filterMs / connectMs, unit: 'share of connect time (target ≤ 0.10)' },
        { name: 'filters.buildMsPerBlock', value: filterMs / blocks, unit: `ms per block (${TXS_PER_BLOCK} txs)` },
        { name: 'filters.connectMsPerBlock', value: connectMs / blocks, unit: 'ms per block' },
        { name: 'filters.bytesPerBlock', value: bytes / entries.length, unit: 'bytes' },
        { name: 'filters.falsePositiveRate', value: fpRate, unit: `${falsePositives} in ${queries} queries; 1/M = ${(1 / GCS_M).toExponential(3)}`, ratio: fpRate * GCS_M },
        { name: 'filters.walletBlocksMatched', value: walletMatched, unit: `blocks matched / ${built.walletBlocks.size} paying the wallet`, ratio: walletMatched / built.walletBlocks.size },
      ];
      return { results };
    } finally {
      await chain.close();
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchFilters({ quick: process.argv.includes('--quick') });
  for (const r of out.results) process.stdout.write(`${r.name.padEnd(30)} ${r.value < 1 ? r.value.toExponential(3) : r.value.toFixed(3)}  ${r.unit}${r.ratio === undefined ? '' : `  (ratio ${r.ratio.toFixed(3)})`}\n`);
}
