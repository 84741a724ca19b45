// Block-connect throughput: blocks of 1,000 one-in-two-out transactions, every
// signature fresh and verified on the worker pool (the node's libsecp256k1
// build: native where it loads), connected through Chain.processBlock on
// RocksDB, submitted as sync submits them (the next block before the last
// one's batch is written: bench/submitBlocks.ts). The reference, measured in
// the same run, is the same blocks verified inline on the calling thread (the
// chain's default). Beside them: the pool on the WASM build, no verification
// at all (what chain and storage cost), every signature already in the cache
// (a block the mempool saw first), the in-memory store, and throughput against
// block size. connect.ibd is the configuration initial sync runs (reported, not
// gated): the same fresh signatures with the address index deferred, BIP158
// filters kept and the WASM Merkle kernel, as src/node/node.ts opens the chain. The blocks are built and signed before the clock starts. Run: node dist/bench/connect.js [--long]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tiny from 'tiny-secp256k1';
import { Chain } from '../src/chain/chain.js';
import type { ChainOptions } from '../src/chain/chainTypes.js';
import { Block } from '../src/core/block.js';
import { sha256 } from '../src/core/hash.js';
import { headerHash } from '../src/core/header.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { blockSubsidy, REGTEST } from '../src/core/params.js';
import { sighash, sighashCache } from '../src/core/sighash.js';
import { createCoinbase, NULL_HASH, Tx, TX_VERSION, txid } from '../src/core/tx.js';
import { cachedVerifier } from '../src/crypto/cachedVerifier.js';
import { publicKeyOf, pubKeyHashOf } from '../src/crypto/keys.js';
import { SigCache } from '../src/crypto/sigCache.js';
import { merkleRoot as merkleRootWasm } from '../src/wasm/merkle.js';
import type { SignatureVerifier } from '../src/crypto/verifier.js';
import { createVerifyPool } from '../src/crypto/verifyPool.js';
import { KeyValueStore } from '../src/storage/kvStore.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { submitBlocks } from './submitBlocks.js';
import type { BenchOptions, BenchModuleOutput, BenchSeries } from './types.js';
import { mine as mineRegtest } from '../test/helpers/chainFixtures.js';

const TXS_PER_BLOCK = 1000;
const T0 = 1_700_000_000;
const params = REGTEST;

interface Coin { txid: Uint8Array; vout: number; value: number }

/** Genesis, a fan-out block making `txsPerBlock` coins, then `n` blocks of `txsPerBlock` spends each. */
export function buildBenchChain(n: number, txsPerBlock = TXS_PER_BLOCK, tag = 'pubchain bench key'): { genesis: Block; blocks: Block[] } {
  const priv = sha256(new TextEncoder().encode(tag));
  const pub = publicKeyOf(priv);
  const pkh = pubKeyHashOf(pub);
  const sign = (tx: Tx, coins: Coin[]): Tx => {
    const cache = sighashCache(tx);
    coins.forEach((c, k) => { tx.inputs[k]!.signature = tiny.sign(sighash(tx, k, { value: c.value, pubKeyHash: pkh }, cache), priv); });
    return tx;
  };
  const makeBlock = (prevHash: Uint8Array, height: number, txs: Tx[]): Block => {
    const all = [createCoinbase(height, [{ value: blockSubsidy(params, height), pubKeyHash: pkh }]), ...txs];
    return mineRegtest({ header: { version: 1, prevHash, merkleRoot: merkleRootJs(all.map(txid)), time: T0 + height * 10, bits: params.genesisBits, nonce: 0 }, txs: all });
  };
  const spend = (coins: Coin[], outputs: number[]): Tx => sign({
    version: TX_VERSION,
    inputs: coins.map((c) => ({ prevTxid: c.txid, vout: c.vout, signature: new Uint8Array(64), pubKey: pub })),
    outputs: outputs.map((value) => ({ value, pubKeyHash: pkh })),
  }, coins);

  const genesis = makeBlock(NULL_HASH, params.genesisHeight, []);
  const cb: Coin = { txid: txid(genesis.txs[0]!), vout: 0, value: genesis.txs[0]!.outputs[0]!.value };
  const share = Math.floor(cb.value / txsPerBlock);
  const fan = spend([cb], Array.from({ length: txsPerBlock }, () => share));
  const blocks = [makeBlock(headerHash(genesis.header), params.genesisHeight + 1, [fan])];
  let coins: Coin[] = fan.outputs.map((o, vout) => ({ txid: txid(fan), vout, value: o.value }));
  for (let b = 0; b < n; b++) {
    const txs = coins.slice(0, txsPerBlock).map((c) => spend([c], [Math.floor(c.value / 2), c.value - Math.floor(c.value / 2)]));
    const next: Coin[] = [];
    for (const tx of txs) { const id = txid(tx); tx.outputs.forEach((o, vout) => next.push({ txid: id, vout, value: o.value })); }
    // Half the new coins are spent next block, half stay: the UTXO set grows as a real one does.
    coins = next.filter((_, i) => i % 2 === 0);
    const prev = blocks[blocks.length - 1]!;
    blocks.push(makeBlock(headerHash(prev.header), params.genesisHeight + 2 + b, txs));
  }
  return { genesis, blocks };
}

/** Transactions per second connecting `blocks` (the fan-out block is connected before the clock starts). */
async function measure(store: KeyValueStore, chain: BenchChain, opts: ChainOptions = {}, deferIndex = false): Promise<number> {
  const c = await Chain.open(store, params, { now: () => T0 + 10_000_000, ...opts });
  try {
    await c.initGenesis(chain.genesis);
    // As in initial sync: blocks skip the address index's writes (src/chain/addressIndex.ts).
    if (deferIndex) await c.deferAddressIndex();
    await c.processBlock(chain.blocks[0]!);
    let txs = 0;
    const t0 = process.hrtime.bigint();
    await submitBlocks(c, chain.blocks.slice(1), 4, (_r, b) => { txs += b.txs.length - 1; });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return txs / seconds;
  } finally {
    await c.close();
  }
}

type BenchChain = ReturnType<typeof buildBenchChain>;

async function withRocks<T>(fn: (store: RocksStore) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pubchain-bench-connect-'));
  try {
    return await fn(await RocksStore.open(dir));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const onRocks = (chain: BenchChain, opts: ChainOptions = {}, deferIndex = false): Promise<number> => withRocks((store) => measure(store, chain, opts, deferIndex));

async function blockSizeSeries(pool: SignatureVerifier, sizes: number[], txsPerSize: number): Promise<BenchSeries[]> {
  const poolPoints: Array<[number, number]> = [];
  const inlinePoints: Array<[number, number]> = [];
  for (const size of sizes) {
    const chain = buildBenchChain(Math.max(2, Math.round(txsPerSize / size)), size, `pubchain bench key ${size}`);
    poolPoints.push([size, Math.round(await onRocks(chain, { verifySigs: pool.verify }))]);
    inlinePoints.push([size, Math.round(await onRocks(chain))]);
  }
  const shape = { chart: 'connect.blockSize', xLabel: 'transactions per block', yLabel: 'tx/s' };
  return [
    { ...shape, label: `pool, ${pool.threads} workers (${pool.backend})`, points: poolPoints },
    { ...shape, label: `inline ${pool.backend}`, points: inlinePoints },
  ];
}

export async function benchConnect(opts: BenchOptions): Promise<BenchModuleOutput> {
  const n = opts.quick ? 4 : 12;
  const chain = buildBenchChain(n);
  const pool = createVerifyPool({ threads: os.availableParallelism() });
  try {
    // An untimed first pass fills the cache, as the mempool would, and warms
    // the workers up; the cacheHit pass later only hits it.
    const cache = new SigCache((n + 1) * TXS_PER_BLOCK);
    const cached = cachedVerifier(pool.verify, cache);
    // Only the mempool's checks enter the cache: the fill pass verifies as the mempool would.
    await onRocks(chain, { verifySigs: (checks) => cached(checks, { priority: 'mempool' }) });
    // Interleaved and best-of: on a shared machine other processes only slow a run down.
    let inline = 0;
    let pooled = 0;
    let ibd = 0;
    for (let rep = 0; rep < (opts.quick ? 2 : 3); rep++) {
      inline = Math.max(inline, await onRocks(chain));
      pooled = Math.max(pooled, await onRocks(chain, { verifySigs: pool.verify }));
      ibd = Math.max(ibd, await onRocks(chain, { verifySigs: pool.verify, blockFilters: true, merkleRoot: merkleRootWasm }, true));
    }
    let wasm = 0;
    if (pool.backend !== 'wasm') {
      const wasmPool = createVerifyPool({ threads: os.availableParallelism(), backend: 'wasm' });
      try {
        wasm = await onRocks(chain, { verifySigs: wasmPool.verify });
      } finally {
        await wasmPool.close();
      }
    }
    const noSigs = await onRocks(chain, { verifySigs: () => undefined });
    // The address index deferred against kept, signatures off (what the index costs the chain and storage), interleaved, best of two.
    let kept = 0;
    let deferred = 0;
    for (let rep = 0; rep < 2; rep++) {
      kept = Math.max(kept, await onRocks(chain, { verifySigs: () => undefined }));
      deferred = Math.max(deferred, await onRocks(chain, { verifySigs: () => undefined }, true));
    }
    const cacheHit = await onRocks(chain, { verifySigs: cached });
    const inMemory = await measure(new MemoryStore(), chain, { verifySigs: pool.verify });
    const series = await blockSizeSeries(pool, [10, 100, 1000], opts.quick ? 2000 : 6000);
    return {
      results: [
        { name: 'connect.inline.txPerSec', value: Math.round(inline), unit: 'tx/s' },
        { name: 'connect.txPerSec', value: Math.round(pooled), unit: 'tx/s', reference: 'connect.inline.txPerSec', ratio: pooled / inline },
        // Everything but the signatures: what the chain and storage cost around the verifier.
        ...(pool.backend === 'wasm' ? [] : [{ name: 'connect.wasm.txPerSec', value: Math.round(wasm), unit: 'tx/s', reference: 'connect.txPerSec', ratio: wasm / pooled }]),
        { name: 'connect.noSigs.txPerSec', value: Math.round(noSigs), unit: 'tx/s', reference: 'connect.txPerSec', ratio: noSigs / pooled },
        // Reported, not gated.
        { name: 'connect.ibd.txPerSec', value: Math.round(ibd), unit: 'tx/s', reference: 'connect.txPerSec', ratio: ibd / pooled },
        { name: 'connect.deferredIndex.txPerSec', value: Math.round(deferred), unit: 'tx/s', reference: 'connect.noSigs.txPerSec', ratio: deferred / kept },
        { name: 'connect.cacheHit.txPerSec', value: Math.round(cacheHit), unit: 'tx/s', reference: 'connect.txPerSec', ratio: cacheHit / pooled },
        { name: 'connect.inMemory.txPerSec', value: Math.round(inMemory), unit: 'tx/s', reference: 'connect.txPerSec', ratio: inMemory / pooled },
      ],
      series,
    };
  } finally {
    await pool.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchConnect({ quick: !process.argv.includes('--long') });
  for (const r of out.results) console.log(JSON.stringify(r));
  for (const s of out.series ?? []) console.log(JSON.stringify(s));
}
