// The mining benchmark behind `pubchain bench`: proof-of-work hash rate of the
// WASM kernels (SIMD and scalar) on one core, node:crypto's SHA-256 hashing the
// same 80-byte headers as the same-run reference, and the nonce-search pool for
// each thread count. Targets are impossible, so every window hashes throughout.
import crypto from 'node:crypto';
import os from 'node:os';
import { compileKernel, type KernelKind } from '../wasm/loader.js';
import { PowKernel } from '../wasm/pow.js';
import { createPoolSearcher } from './noncePool.js';

const CHUNK = 1 << 16;
const IMPOSSIBLE = new Uint8Array(32);

export interface HashBenchReport {
  machine: { node: string; platform: string; cpu: string; cores: number; date: string };
  seconds: number;
  /** Hashes per second on one core. */
  kernels: { simd: number | null; scalar: number; nodeCrypto: number };
  /** The pool: hashes per second for each thread count, and its speed-up over one thread. */
  threads: Array<{ threads: number; hashesPerSecond: number; speedup: number }>;
}

/** A fixed 80-byte header for hash-rate runs (the nonce bytes are the searcher's). */
export function benchHeader(): Uint8Array {
  const h = new Uint8Array(80);
  for (let i = 0; i < 76; i++) h[i] = (i * 151 + 7) & 0xff;
  return h;
}

function timed(seconds: number, round: () => number): number {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const t0 = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() < end) n += round();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export function kernelRate(kind: KernelKind, seconds: number): number {
  const kernel = new PowKernel(compileKernel('pow', kind));
  const h = benchHeader();
  let nonce = 0;
  timed(Math.min(0.2, seconds), () => kernel.search(h, IMPOSSIBLE, 0, CHUNK).hashes);
  return timed(seconds, () => {
    if (nonce + CHUNK > 2 ** 32) nonce = 0;
    const r = kernel.search(h, IMPOSSIBLE, nonce, CHUNK);
    nonce += CHUNK;
    return r.hashes;
  });
}

export type Sha256 = (data: Uint8Array) => Uint8Array;
/** node:crypto's SHA-256, the same-run reference: crypto.hash (Node 20.12+) skips the Hash object; createHash is the fallback. */
export const nodeSha256: Sha256 = typeof (crypto as { hash?: unknown }).hash === 'function'
  ? (d) => (crypto as unknown as { hash(alg: string, d: Uint8Array, enc: 'buffer'): Buffer }).hash('sha256', d, 'buffer')
  : (d) => crypto.createHash('sha256').update(d).digest();

export function nodeCryptoRate(seconds: number): number {
  const h = Buffer.from(benchHeader());
  let nonce = 0;
  return timed(seconds, () => {
    for (let i = 0; i < 2000; i++) {
      h.writeUInt32LE(nonce, 76);
      nonce = (nonce + 1) >>> 0;
      nodeSha256(nodeSha256(h));
    }
    return 2000;
  });
}

export async function poolRate(threads: number, seconds: number): Promise<number> {
  const pool = createPoolSearcher({ threads });
  try {
    const window = async (s: number): Promise<number> => {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), s * 1000);
      const t0 = process.hrtime.bigint();
      const r = await pool.search(benchHeader(), IMPOSSIBLE, { signal: ac.signal });
      clearTimeout(timer);
      return r.hashes / (Number(process.hrtime.bigint() - t0) / 1e9);
    };
    await window(Math.min(0.3, seconds));
    return await window(seconds);
  } finally {
    await pool.close();
  }
}

function simdRate(seconds: number): number | null {
  try { return kernelRate('simd', seconds); } catch { return null; }
}

export async function runHashBench(threadCounts: number[], seconds: number, progress: (msg: string) => void = () => undefined): Promise<HashBenchReport> {
  progress('kernels on one core');
  const kernels = { simd: simdRate(seconds), scalar: kernelRate('scalar', seconds), nodeCrypto: nodeCryptoRate(seconds) };
  const threads: HashBenchReport['threads'] = [];
  for (const n of threadCounts) {
    progress(`pool with ${n} thread${n === 1 ? '' : 's'}`);
    const rate = await poolRate(n, seconds);
    threads.push({ threads: n, hashesPerSecond: Math.round(rate), speedup: 0 });
  }
  const base = threads.find((t) => t.threads === 1)?.hashesPerSecond ?? (kernels.simd ?? kernels.scalar);
  for (const t of threads) t.speedup = Number((t.hashesPerSecond / base).toFixed(3));
  const cpus = os.cpus();
  return {
    machine: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpu: cpus[0]?.model ?? 'unknown', cores: os.availableParallelism(), date: new Date().toISOString() },
    seconds,
    kernels: { simd: kernels.simd && Math.round(kernels.simd), scalar: Math.round(kernels.scalar), nodeCrypto: Math.round(kernels.nodeCrypto) },
    threads,
  };
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained page: one bar chart per measurement group, inline SVG. */
export function renderHashBenchHtml(r: HashBenchReport): string {
  const bars = (title: string, rows: Array<[string, number]>): string => {
    const max = Math.max(1, ...rows.map(([, v]) => v));
    const h = rows.length * 28 + 10;
    const body = rows.map(([label, v], i) => {
      const w = Math.round((v / max) * 460);
      return `<text x="0" y="${i * 28 + 22}">${esc(label)}</text><rect x="170" y="${i * 28 + 8}" width="${w}" height="20" fill="#3a7bd5"/>`
        + `<text x="${176 + w}" y="${i * 28 + 22}">${Math.round(v).toLocaleString('en-US')} H/s</text>`;
    }).join('');
    return `<h2>${esc(title)}</h2><svg width="820" height="${h}" font-family="sans-serif" font-size="13">${body}</svg>`;
  };
  const kernelRows: Array<[string, number]> = [
    ...(r.kernels.simd === null ? [] : [['WASM SIMD', r.kernels.simd] as [string, number]]),
    ['WASM scalar', r.kernels.scalar], ['node:crypto (reference)', r.kernels.nodeCrypto],
  ];
  return `<!doctype html><html><head><meta charset="utf-8"><title>pubchain bench</title></head><body style="font-family:sans-serif">`
    + `<h1>pubchain bench</h1><p>${esc(`${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.platform}, Node ${r.machine.node}, ${r.machine.date}; ${r.seconds} s per window`)}</p>`
    + bars('One core: kernels and reference', kernelRows)
    + bars('Nonce-search pool by thread count', r.threads.map((t) => [`${t.threads} thread${t.threads === 1 ? '' : 's'} (×${t.speedup})`, t.hashesPerSecond]))
    + `</body></html>\n`;
}
