// Block-connect throughput: blocks of 1,000 one-in-two-out transactions, every
// signature verified, connected through Chain.processBlock on RocksDB, against
// the same blocks on the in-memory store (the reference, measured in the same
// run). The blocks are built and signed before the clock starts.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tiny from 'tiny-secp256k1';
import { Chain, ChainOptions } from '../src/chain/chain.js';
import { Block } from '../src/core/block.js';
import { sha256 } from '../src/core/hash.js';
import { headerHash } from '../src/core/header.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { blockSubsidy, REGTEST } from '../src/core/params.js';
import { bitsToTarget, hashMeetsTarget } from '../src/core/pow.js';
import { sighash, sighashCache } from '../src/core/sighash.js';
import { createCoinbase, NULL_HASH, Tx, TX_VERSION, txid } from '../src/core/tx.js';
import { publicKeyOf, pubKeyHashOf } from '../src/crypto/keys.js';
import { KeyValueStore } from '../src/storage/kvStore.js';
import { MemoryStore } from '../src/storage/memoryStore.js';
import { RocksStore } from '../src/storage/rocksStore.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  reference?: string;
  ratio?: number;
}

const TXS_PER_BLOCK = 1000;
const T0 = 1_700_000_000;
const params = REGTEST;

interface Coin { txid: Uint8Array; vout: number; value: number }

function mine(block: Block): Block {
  const target = bitsToTarget(block.header.bits);
  for (let n = 0; n < 1_000_000; n++) {
    block.header.nonce = n;
    if (hashMeetsTarget(headerHash(block.header), target)) return block;
  }
  throw new Error('no nonce found');
}

/** Genesis, a fan-out block making 1,000 coins, then `n` blocks of 1,000 spends each. */
export function buildBenchChain(n: number): { genesis: Block; blocks: Block[] } {
  const priv = sha256(new TextEncoder().encode('pubchain bench key'));
  const pub = publicKeyOf(priv);
  const pkh = pubKeyHashOf(pub);
  const sign = (tx: Tx, coins: Coin[]): Tx => {
    const cache = sighashCache(tx);
    coins.forEach((c, k) => { tx.inputs[k]!.signature = tiny.sign(sighash(tx, k, { value: c.value, pubKeyHash: pkh }, cache), priv); });
    return tx;
  };
  const makeBlock = (prevHash: Uint8Array, height: number, txs: Tx[]): Block => {
    const all = [createCoinbase(height, [{ value: blockSubsidy(params, height), pubKeyHash: pkh }]), ...txs];
    return mine({ header: { version: 1, prevHash, merkleRoot: merkleRootJs(all.map(txid)), time: T0 + height * 10, bits: params.genesisBits, nonce: 0 }, txs: all });
  };
  const spend = (coins: Coin[], outputs: number[]): Tx => sign({
    version: TX_VERSION,
    inputs: coins.map((c) => ({ prevTxid: c.txid, vout: c.vout, signature: new Uint8Array(64), pubKey: pub })),
    outputs: outputs.map((value) => ({ value, pubKeyHash: pkh })),
  }, coins);

  const genesis = makeBlock(NULL_HASH, params.genesisHeight, []);
  const cb: Coin = { txid: txid(genesis.txs[0]!), vout: 0, value: genesis.txs[0]!.outputs[0]!.value };
  const share = Math.floor(cb.value / TXS_PER_BLOCK);
  const fan = spend([cb], Array.from({ length: TXS_PER_BLOCK }, () => share));
  const blocks = [makeBlock(headerHash(genesis.header), params.genesisHeight + 1, [fan])];
  let coins: Coin[] = fan.outputs.map((o, vout) => ({ txid: txid(fan), vout, value: o.value }));
  for (let b = 0; b < n; b++) {
    const txs = coins.slice(0, TXS_PER_BLOCK).map((c) => spend([c], [Math.floor(c.value / 2), c.value - Math.floor(c.value / 2)]));
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
async function measure(store: KeyValueStore, genesis: Block, blocks: Block[], opts: ChainOptions = {}): Promise<number> {
  const chain = await Chain.open(store, params, { now: () => T0 + 10_000_000, ...opts });
  try {
    await chain.initGenesis(genesis);
    await chain.processBlock(blocks[0]!);
    const t0 = process.hrtime.bigint();
    for (const b of blocks.slice(1)) {
      const r = await chain.processBlock(b);
      if (r.status !== 'connected') throw new Error(`bench block not connected: ${r.status}`);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return ((blocks.length - 1) * TXS_PER_BLOCK) / seconds;
  } finally {
    await chain.close();
  }
}

async function withRocks<T>(fn: (store: RocksStore) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pubchain-bench-connect-'));
  try {
    return await fn(await RocksStore.open(dir));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export const bench = {
  name: 'connect.txPerSec',
  async run(opts: { short: boolean }): Promise<BenchResult[]> {
    const n = opts.short ? 4 : 12;
    const { genesis, blocks } = buildBenchChain(n);
    const inMemory = await measure(new MemoryStore(), genesis, blocks);
    const rocks = await withRocks((store) => measure(store, genesis, blocks));
    const noSigs = await withRocks((store) => measure(store, genesis, blocks, { verifySigs: () => undefined }));
    return [
      { name: 'connect.inMemory.txPerSec', value: Math.round(inMemory), unit: 'tx/s' },
      { name: 'connect.txPerSec', value: Math.round(rocks), unit: 'tx/s', reference: 'connect.inMemory.txPerSec', ratio: rocks / inMemory },
      // Everything but the signatures: what the chain and storage cost around the verifier.
      { name: 'connect.noSigs.txPerSec', value: Math.round(noSigs), unit: 'tx/s', reference: 'connect.txPerSec', ratio: noSigs / rocks },
    ];
  },
};

export default bench;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const short = !process.argv.includes('--long');
  for (const r of await bench.run({ short })) console.log(JSON.stringify(r));
}
