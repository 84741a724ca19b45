// Merkle-root throughput in tree nodes (one SHA256d of a 64-byte pair) per
// second: the WASM kernel (SIMD, and the scalar build) against the same tree
// hashed with node:crypto, on 4,096-leaf trees, in alternating windows
// (bench/paired.ts). Run: node dist/bench/merkle.js [--long]
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { compileKernel } from '../src/wasm/loader.js';
import { MerkleKernel } from '../src/wasm/merkle.js';
import { paired, type Round } from './paired.js';
import type { BenchModuleOutput, BenchOptions } from './types.js';

const LEAVES = 4096;
/** Pairs hashed for a power-of-two tree: no odd levels. */
const NODES = LEAVES - 1;

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
  const leaves = Array.from({ length: LEAVES }, () => new Uint8Array(crypto.randomBytes(32)));
  const simd = new MerkleKernel();
  const scalar = new MerkleKernel(compileKernel('merkle', 'scalar'));
  const want = Buffer.from(nodeCryptoRoot(leaves));
  for (const k of [simd, scalar]) if (!want.equals(k.root(leaves))) throw new Error(`${k.kind} Merkle root differs from node:crypto's`);

  const pairs = opts.quick ? 5 : 9;
  const seconds = opts.quick ? 0.3 : 1;
  const node: Round = () => { nodeCryptoRoot(leaves); return NODES; };
  const wasm = await paired(pairs, seconds, () => { simd.root(leaves); return NODES; }, node);
  const wasmScalar = await paired(pairs, seconds, () => { scalar.root(leaves); return NODES; }, node);
  return {
    results: [
      { name: 'merkle.nodeCrypto.nodesPerSec', value: Math.round(wasm.reference), unit: 'nodes/s' },
      { name: 'merkle.wasm.nodesPerSec', value: Math.round(wasm.subject), unit: 'nodes/s', reference: 'merkle.nodeCrypto.nodesPerSec', ratio: wasm.ratio },
      { name: 'merkle.wasm.scalar.nodesPerSec', value: Math.round(wasmScalar.subject), unit: 'nodes/s', reference: 'merkle.nodeCrypto.nodesPerSec', ratio: wasmScalar.ratio },
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchMerkle({ quick: !process.argv.includes('--long') });
  for (const r of out.results) console.log(JSON.stringify(r));
}
