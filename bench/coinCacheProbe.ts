// Does a coin cache pay once the UTXO set outgrows memory? The scale bench's
// connect (bench/connectScale.ts, signatures off so storage is what is
// measured) in child processes held in a memory cgroup well below the set's
// size on disk plus the process, so RocksDB's reads go to the disk. Two
// variants run in interleaved pairs (the order alternates); each child reports
// tx/s per window, peak RSS, the bytes it read from the block device
// (/proc/self/io) and the cgroup's counters. Not part of `npm run bench`.
//
//   node dist/bench/coinCacheProbe.js [--coins 2000000] [--pairs 4] [--limit 900]
//     [--a 300:140] [--b 300:0]
//
// A variant is `dbcache:cacheMiB`: RocksDB opened with --dbcache `dbcache`, and
// a CoinCache (src/storage/coinCache.ts) of `cacheMiB` in front (0: none).
// `--limit 0` runs without a cgroup. Root is needed for the cgroup; it is made
// under this process's own memory cgroup and removed at the end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { CoinCache, CoinCacheStats } from './coinCache.js';
import { parseBlock, serializeBlock } from '../src/core/block.js';
import { REGTEST } from '../src/core/params.js';
import { curve, firstAndLast, runScale } from './connectScale.js';
import { buildScaleChain, ScaleChain } from './scaleChain.js';
import { median } from './paired.js';

const WINDOWS = 8;
const CGROUP_NAME = 'pcbench-coincache';

interface Variant { dbcache: number; cacheMiB: number }
const parseVariant = (s: string): Variant => {
  const [d, c] = s.split(':').map(Number);
  if (!Number.isInteger(d) || !Number.isInteger(c)) throw new Error(`a variant is dbcache:cacheMiB, got ${s}`);
  return { dbcache: d!, cacheMiB: c! };
};
const label = (v: Variant): string => `dbcache ${v.dbcache}${v.cacheMiB ? ` + coin cache ${v.cacheMiB} MiB` : ', no coin cache'}`;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

/** key value lines (memory.stat, /proc/self/io) as numbers. */
function counters(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [k, v] = line.split(/:?\s+/);
    if (k && v !== undefined && v !== '') out[k] = Number(v);
  }
  return out;
}

interface ChildReport {
  variant: string; coins: number; txs: number; windowTxs: number; windows: number[];
  first: number; last: number; lastToFirst: number; peakRssMB: number; seconds: number; cpuUsPerTx: number;
  readMB: number; cgroup: Record<string, number>; cache: CoinCacheStats | null;
  curve: Array<[number, number]>;
}

/** The scale chain built once for every child: genesis, then the blocks, each as u32 length | bytes. */
function saveChain(file: string, c: ScaleChain): void {
  const all = [serializeBlock(c.genesis), ...c.blocks];
  const parts: Uint8Array[] = [];
  const head = new Uint32Array([c.coins, all.length]);
  parts.push(new Uint8Array(head.buffer));
  for (const b of all) { parts.push(new Uint8Array(new Uint32Array([b.length]).buffer), b); }
  fs.writeFileSync(file, Buffer.concat(parts));
}

function loadChain(file: string): ScaleChain {
  const buf = fs.readFileSync(file);
  const u32 = (at: number): number => buf.readUInt32LE(at);
  const coins = u32(0);
  const n = u32(4);
  const all: Uint8Array[] = [];
  for (let i = 0, at = 8; i < n; i++) { const len = u32(at); all.push(Uint8Array.from(buf.subarray(at + 4, at + 4 + len))); at += 4 + len; }
  return { coins, genesis: parseBlock(all[0]!, REGTEST.maxBlockSize), blocks: all.slice(1) };
}

async function child(): Promise<void> {
  const v = parseVariant(arg('variant', '300:0'));
  const coins = Number(arg('coins', '2000000'));
  const cg = process.env.PCBENCH_CGROUP;
  let cache: CoinCache | null = null;
  let readAtEnd = 0;
  let cacheStats: CoinCacheStats | null = null;
  const readBytes = (): number => counters('/proc/self/io').read_bytes ?? 0;
  const readAtStart = readBytes();
  const cpuAtStart = process.cpuUsage();
  let cpuUs = 0;
  const run = await runScale({
    coins, built: process.env.PCBENCH_CHAIN ? loadChain(process.env.PCBENCH_CHAIN) : undefined, dbcacheMiB: v.dbcache, sigs: false,
    wrapStore: v.cacheMiB > 0 ? (s) => (cache = new CoinCache(s, v.cacheMiB * 2 ** 20)) : undefined,
    onConnected: () => { const c = process.cpuUsage(cpuAtStart); cpuUs = c.user + c.system; readAtEnd = readBytes(); cacheStats = (cache as CoinCache | null)?.stats() ?? null; },
  });
  const total = run.done[run.done.length - 1]![0];
  const w = Math.floor(total / WINDOWS);
  const windows: number[] = [];
  for (let i = 0; i < WINDOWS; i++) {
    const a = run.done.find(([t]) => t >= i * w) ?? [0, 0];
    const b = run.done.find(([t]) => t >= (i + 1) * w) ?? run.done[run.done.length - 1]!;
    windows.push(Math.round((b[0] - a[0]) / (b[1] - a[1])));
  }
  const { first, last } = firstAndLast(run.done, w);
  const cgStat = cg ? counters(`${cg}/memory.stat`) : {};
  const pick = ['cache', 'rss', 'total_cache', 'total_rss', 'pgmajfault', 'total_pgmajfault', 'file', 'anon', 'workingset_refault_file', 'workingset_refault'];
  const report: ChildReport = {
    variant: label(v), coins: run.coins, txs: total, windowTxs: w, windows, first: Math.round(first), last: Math.round(last),
    lastToFirst: Number((last / first).toFixed(3)), peakRssMB: Math.round(run.peakRss / 2 ** 20),
    seconds: Math.round(run.done[run.done.length - 1]![1]), cpuUsPerTx: Math.round(cpuUs / total), readMB: Math.round((readAtEnd - readAtStart) / 2 ** 20),
    cgroup: Object.fromEntries(pick.filter((k) => cgStat[k] !== undefined).map((k) => [k, k.includes('fault') || k.includes('refault') ? cgStat[k]! : Math.round(cgStat[k]! / 2 ** 20)])),
    cache: cacheStats, curve: curve(run.done),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** This process's memory cgroup (v2 unified, or v1's memory hierarchy), with a child made for the runs. */
function makeCgroup(limitMiB: number): { dir: string; v2: boolean } {
  const lines = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
  const own = v2 ? lines.find((l) => l.startsWith('0::'))!.slice(3) : lines.find((l) => l.split(':')[1] === 'memory')!.split(':')[2]!;
  const dir = `${v2 ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory'}${own === '/' ? '' : own}/${CGROUP_NAME}`;
  if (!fs.existsSync(dir)) fs.mkdirSync(dir);
  fs.writeFileSync(`${dir}/${v2 ? 'memory.max' : 'memory.limit_in_bytes'}`, `${limitMiB * 2 ** 20}`);
  return { dir, v2 };
}

function runChild(v: string, coins: number, cg: string | null, chainFile: string): Promise<ChildReport> {
  const script = fileURLToPath(import.meta.url);
  const cmd = `${cg ? `echo $$ > ${cg}/cgroup.procs && ` : ''}exec ${process.execPath} ${script} --child --variant ${v} --coins ${coins}`;
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PCBENCH_CGROUP: cg ?? '', PCBENCH_CHAIN: chainFile } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (code !== 0) reject(new Error(`child ${v} exited with ${code ?? signal} (an OOM kill in the cgroup shows as SIGKILL)`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildReport);
    });
  });
}

async function parent(): Promise<void> {
  const coins = Number(arg('coins', '2000000'));
  const pairs = Number(arg('pairs', '4'));
  const limit = Number(arg('limit', '900'));
  const a = arg('a', '300:140');
  const b = arg('b', '300:0');
  const chainFile = `${os.tmpdir()}/pcbench-coincache-chain-${coins}.bin`;
  saveChain(chainFile, buildScaleChain(coins));
  const cg = limit > 0 ? makeCgroup(limit) : null;
  const ratios: number[] = [];
  try {
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? [a, b] : [b, a];
      const got: Record<string, ChildReport> = {};
      for (const v of order) {
        if (cg && !cg.v2) fs.writeFileSync(`${cg.dir}/memory.max_usage_in_bytes`, '0');
        const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
        got[v] = await runChild(v, coins, cg?.dir ?? null, chainFile);
        const maxUsage = cg && !cg.v2 ? Math.round(Number(fs.readFileSync(`${cg.dir}/memory.max_usage_in_bytes`, 'utf8')) / 2 ** 20) : null;
        console.log(JSON.stringify({ pair: i, load, cgroupMaxUsageMB: maxUsage, ...got[v], curve: undefined }));
      }
      const lastA = got[a]!.windows.slice(-2).reduce((x, y) => x + y, 0);
      const lastB = got[b]!.windows.slice(-2).reduce((x, y) => x + y, 0);
      ratios.push(lastA / lastB);
      console.log(`pair ${i}: last two windows, ${a} / ${b} = ${(lastA / lastB).toFixed(3)}`);
    }
    const s = [...ratios].sort((x, y) => x - y);
    console.log(`${pairs} pairs, last-windows ratio ${a} / ${b}: median ${median(ratios).toFixed(3)}, min ${s[0]!.toFixed(3)}, max ${s[s.length - 1]!.toFixed(3)}`);
  } finally {
    if (cg) fs.rmdirSync(cg.dir);
    fs.rmSync(chainFile, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await (process.argv.includes('--child') ? child() : parent());
}
