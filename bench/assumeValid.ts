// Connect below an assumed-valid block (--assumevalid), in process on RocksDB.
// The chain must know the assumed-valid block before it connects its
// ancestors, so the blocks of bench/connect.ts's chain are first stored as a
// side branch (a main chain of as many empty blocks holds the tip), and the
// branch's last block, the assumed-valid one, makes it the heavier chain: the
// reorganisation connects every block of it. The reference is the same
// reorganisation with every signature verified on the pool.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Chain } from '../src/chain/chain.js';
import { Block } from '../src/core/block.js';
import { headerHash } from '../src/core/header.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { blockSubsidy, REGTEST } from '../src/core/params.js';
import { bitsToTarget, hashMeetsTarget } from '../src/core/pow.js';
import { createCoinbase, txid } from '../src/core/tx.js';
import type { SignatureVerifier } from '../src/crypto/verifier.js';
import { createVerifyPool } from '../src/crypto/verifyPool.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { buildBenchChain } from './connect.js';
import type { BenchModuleOutput, BenchOptions } from './types.js';

const T0 = 1_700_000_000;
type BenchChain = ReturnType<typeof buildBenchChain>;

function emptyChain(genesis: Block, n: number): Block[] {
  const out: Block[] = [];
  let prev = genesis;
  for (let i = 0; i < n; i++) {
    const height = REGTEST.genesisHeight + 1 + i;
    const cb = createCoinbase(height, [{ value: blockSubsidy(REGTEST, height), pubKeyHash: new Uint8Array(20) }], 1);
    const block: Block = { header: { version: 1, prevHash: headerHash(prev.header), merkleRoot: merkleRootJs([txid(cb)]), time: T0 + height * 10 + 1, bits: REGTEST.genesisBits, nonce: 0 }, txs: [cb] };
    const target = bitsToTarget(block.header.bits);
    while (!hashMeetsTarget(headerHash(block.header), target)) block.header.nonce++;
    out.push(block);
    prev = block;
  }
  return out;
}

/** Transactions per second of the reorganisation onto the bench chain's blocks. */
async function measure(chain: BenchChain, main: Block[], pool: SignatureVerifier, assumeValid: boolean): Promise<number> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pubchain-bench-assumevalid-'));
  const last = chain.blocks[chain.blocks.length - 1]!;
  try {
    const c = await Chain.open(await RocksStore.open(dir), REGTEST, {
      now: () => T0 + 10_000_000, verifySigs: pool.verify, assumeValid: assumeValid ? headerHash(last.header) : null,
    });
    try {
      await c.initGenesis(chain.genesis);
      for (const b of main) await c.processBlock(b);
      for (const b of chain.blocks.slice(0, -1)) {
        const r = await c.processBlock(b);
        if (r.status !== 'side') throw new Error(`bench block stored as ${r.status}, not side`);
      }
      const txs = chain.blocks.reduce((n, b) => n + b.txs.length - 1, 0);
      const t0 = process.hrtime.bigint();
      const r = await c.processBlock(last);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.status !== 'reorg') throw new Error(`bench branch not taken: ${r.status}`);
      return txs / seconds;
    } finally {
      await c.close();
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function benchAssumeValid(opts: BenchOptions): Promise<BenchModuleOutput> {
  const chain = buildBenchChain(opts.quick ? 8 : 20, undefined, 'pubchain assumevalid bench key');
  const main = emptyChain(chain.genesis, chain.blocks.length - 1);
  const pool = createVerifyPool({ threads: os.availableParallelism() });
  try {
    let trusted = 0;
    let verified = 0;
    for (let rep = 0; rep < 2; rep++) {
      verified = Math.max(verified, await measure(chain, main, pool, false));
      trusted = Math.max(trusted, await measure(chain, main, pool, true));
    }
    return {
      results: [
        { name: 'sync.assumeValid.verified.txPerSec', value: Math.round(verified), unit: 'tx/s' },
        { name: 'sync.assumeValid.txPerSec', value: Math.round(trusted), unit: 'tx/s', reference: 'sync.assumeValid.verified.txPerSec', ratio: trusted / verified },
      ],
    };
  } finally {
    await pool.close();
  }
}
