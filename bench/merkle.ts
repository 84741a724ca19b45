// Merkle-root throughput in tree nodes (one SHA256d of a 64-byte pair) per
// second: the WASM kernel (SIMD, and the scalar build) against the same tree
// hashed with node:crypto, on 4,096-leaf trees. Median of a few
// fixed-duration windows. Run: node dist/bench/merkle.js [--long]
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { compileKernel } from '../src/wasm/loader.js';
import { MerkleKernel } from '../src/wasm/merkle.js';
import type { BenchModuleOutput, BenchOptions } from './types.js';

const LEAVES = 4096;
/** Pairs hashed for a power-of-two tree: no odd levels. */
const NODES = LEAVES - 1;

async function rate(seconds: number, round: () => number): Promise<number> {
  let items = 0;
  const t0 = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  do {
    items += round();
    elapsed = process.hrtime.bigint() - t0;
    // Windows are short and synchronous; a turn of the loop keeps timers honest.
    await new Promise((r) => setImmediate(r));
  } while (elapsed < limit);
  return items / (Number(elapsed) / 1e9);
}

async function medianRate(repeats: number, seconds: number, round: () => number): Promise<number> {
  await rate(0.2, round);
  const rates: number[] = [];
  for (let i = 0; i < repeats; i++) rates.push(await rate(seconds, round));
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

type Sha256 = (data: Uint8Array) => Uint8Array;
const nodeSha256: Sha256 = typeof (crypto as { hash?: unknown }).hash === 'function'
  ? (data) => (crypto as unknown as { hash(alg: string, d: Uint8Array, enc: 'buffer'): Buffer }).hash('sha256', data, 'buffer')
  : (data) => crypto.createHash('sha256').update(data).digest();

function nodeCryptoRoot(leaves: Uint8Array[]): Uint8Array {
  let level = leaves;
  const pair = Buffer.alloc(64);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      pair.set(level[i]!, 0);
      pair.set(level[i + 1] ?? level[i]!, 32);
      next.push(nodeSha256(nodeSha256(pair)));
    }
    level = next;
  }
  return level[0]!;
}

export async function benchMerkle(opts: BenchOptions): Promise<BenchModuleOutput> {
  const repeats = opts.quick ? 3 : 5;
  const seconds = opts.quick ? 0.7 : 2;
  const leaves = Array.from({ length: LEAVES }, () => new Uint8Array(crypto.randomBytes(32)));
  const simd = new MerkleKernel();
  const scalar = new MerkleKernel(compileKernel('merkle', 'scalar'));
  const want = Buffer.from(nodeCryptoRoot(leaves));
  for (const k of [simd, scalar]) if (!want.equals(k.root(leaves))) throw new Error(`${k.kind} Merkle root differs from node:crypto's`);

  const wasm = await medianRate(repeats, seconds, () => { simd.root(leaves); return NODES; });
  const wasmScalar = await medianRate(repeats, seconds, () => { scalar.root(leaves); return NODES; });
  const node = await medianRate(repeats, seconds, () => { nodeCryptoRoot(leaves); return NODES; });
  return {
    results: [
      { name: 'merkle.nodeCrypto.nodesPerSec', value: Math.round(node), unit: 'nodes/s' },
      { name: 'merkle.wasm.nodesPerSec', value: Math.round(wasm), unit: 'nodes/s', reference: 'merkle.nodeCrypto.nodesPerSec', ratio: wasm / node },
      { name: 'merkle.wasm.scalar.nodesPerSec', value: Math.round(wasmScalar), unit: 'nodes/s', reference: 'merkle.nodeCrypto.nodesPerSec', ratio: wasmScalar / node },
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchMerkle({ quick: !process.argv.includes('--long') });
  for (const r of out.results) console.log(JSON.stringify(r));
}
