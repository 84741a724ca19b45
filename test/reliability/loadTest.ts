// Load: a real node process (regtest, --miner) on a chain that holds a fan-out
// of N spendable outputs. Ten raw peers submit, concurrently and interleaved,
// one transaction per output, and for a share of the outputs a rival spending
// the same output to another address from a different peer at about the same
// moment. Every transaction without a rival must be mined exactly once, and of
// each rival pair exactly one, never both; the node must stay up, keep its
// mempool within its byte bound (sampled over RPC), and afterwards survive a
// hundred connections that handshake and vanish at once: a fresh peer still
// gets its pong within 2 s and RPC still answers. Reports peak RSS and tx/s.
//
//   node dist/test/reliability/loadTest.js [--long] [--seed S]
//
// Short form: 1,000 transactions with 100 rival pairs; --long: 10,000 with 1,000.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeArgs, NodeDef, PUBCHAIN_BIN } from '../helpers/cliProcess.js';
import { hashToHex } from '../../src/core/bytes.js';
import { serializeTx, Tx, TxOutput, txid } from '../../src/core/tx.js';
import { encodeAddress } from '../../src/crypto/address.js';
import { Credentials, readCookie, rpcCall } from '../../src/rpc/client.js';
import { Built, buildBlock, buildChain, signedTx, Spendable, testKey } from '../helpers/chainFixtures.js';
import { tempDir } from '../helpers/tempDir.js';
import { LiveNode, startChainNode } from './liveNode.js';
import { memStats } from './procStats.js';
import { Rng, seedFromArgs } from './rng.js';
import { frameOf, WirePeer } from './wirePeer.js';
import { EV } from '../../src/node/logEvents.js';

export interface LoadSizes {
  txs: number;
  /** Outputs that get a second, rival spend from another peer. */
  conflicts: number;
  peers: number;
  dropConnections: number;
  /** From the first transaction sent until the mempool must be mined empty. */
  mineBudgetMs: number;
}

export const SHORT: LoadSizes = { txs: 1000, conflicts: 100, peers: 10, dropConnections: 100, mineBudgetMs: 60_000 };
export const LONG: LoadSizes = { txs: 10_000, conflicts: 1000, peers: 10, dropConnections: 100, mineBudgetMs: 420_000 };

/** Outputs per fan-out transaction: 2,500 outputs are about 70 kB, far below a block. */
const FANOUT_WIDTH = 2500;
const FEE = 1000;
const KEYS = 16;
/** Frames one peer writes before it lets the other peers write: this interleaves their streams. */
const FRAMES_PER_TURN = 8;
const PONG_AFTER_CHURN_MS = 2000;

export interface Spend {
  a: Tx;
  /** The rival: the same output paid to another address, sent by another peer. */
  b: Tx | null;
  aId: string;
  bId: string | null;
  peerA: number;
  peerB: number;
}

export interface Workload {
  chain: Built[];
  spends: Spend[];
  minerAddress: string;
}

/**
 * The chain (fan-out block on top) and every transaction the peers will send,
 * signed beforehand. Which outputs get a rival, and which two peers race, comes
 * from `rng`: the peers write in a fixed order, so a fixed pattern would let
 * the same side win every race.
 */
export function buildWorkload(s: LoadSizes, rng: Rng): Workload {
  const key = (base: number) => Array.from({ length: KEYS }, (_, k) => testKey(base + k));
  const funder = testKey(7000);
  const [owners, payees, rivals] = [key(7100), key(7200), key(7300)];
  const fanCount = Math.ceil(s.txs / FANOUT_WIDTH);
  // The genesis coinbase is left alone: only later rewards are spent.
  const base = buildChain(null, fanCount + 1, funder);
  const spendables: Spendable[] = [];
  const fanouts: Tx[] = [];
  for (let f = 0; f < fanCount; f++) {
    const reward = base[f + 1]!.reward;
    const width = Math.min(FANOUT_WIDTH, s.txs - f * FANOUT_WIDTH);
    const per = Math.floor(reward.value / width);
    const outputs: TxOutput[] = Array.from({ length: width }, (_, k) => ({ value: per, pubKeyHash: owners[(f * FANOUT_WIDTH + k) % KEYS]!.pkh }));
    const tx = signedTx([reward], outputs);
    const id = txid(tx);
    outputs.forEach((_, vout) => spendables.push({ txid: id, vout, value: per, key: owners[(f * FANOUT_WIDTH + vout) % KEYS]! }));
    fanouts.push(tx);
  }
  const top = buildBlock({ parent: base[base.length - 1]!, key: funder, txs: fanouts });
  const rivalled = new Set(sample(rng, s.txs, Math.min(s.conflicts, s.txs)));
  const spends = spendables.map((sp, i): Spend => {
    const pay = (to: Uint8Array): Tx => signedTx([sp], [{ value: sp.value - FEE, pubKeyHash: to }]);
    const a = pay(payees[i % KEYS]!.pkh);
    const peerA = rng.int(0, s.peers - 1);
    if (!rivalled.has(i)) return { a, b: null, aId: hashToHex(txid(a)), bId: null, peerA, peerB: -1 };
    const b = pay(rivals[i % KEYS]!.pkh);
    const peerB = (peerA + rng.int(1, s.peers - 1)) % s.peers;
    return { a, b, aId: hashToHex(txid(a)), bId: hashToHex(txid(b)), peerA, peerB };
  });
  return { chain: [...base, top], spends, minerAddress: encodeAddress(funder.pkh) };
}

/** `k` distinct integers below `n`. */
function sample(rng: Rng, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = rng.int(i, n - 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, k);
}

interface Rpc {
  call<T>(method: string, params?: unknown[], timeoutMs?: number): Promise<T>;
}

async function rpcOf(datadir: string): Promise<Rpc> {
  const info = JSON.parse(await readFile(join(datadir, 'node.json'), 'utf8')) as { rpcPort: number };
  const creds: Credentials = await readCookie(datadir);
  return { call: (method, params = [], timeoutMs = 5000) => rpcCall(info.rpcPort, creds, method, params, { timeoutMs }) };
}

interface MempoolInfo {
  size: number;
  bytes: number;
  maxmempool: number;
}

export interface MempoolWatch {
  samples: number;
  rpcFailures: number;
  peakSize: number;
  peakBytes: number;
  maxmempool: number;
  /** Samples whose bytes exceeded maxmempool. */
  overBound: number;
}

/** Samples getmempoolinfo every `everyMs` until stopped. */
class MempoolMonitor {
  readonly watch: MempoolWatch = { samples: 0, rpcFailures: 0, peakSize: 0, peakBytes: 0, maxmempool: 0, overBound: 0 };
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly rpc: Rpc, private readonly everyMs = 250) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.sample();
      await sleep(this.everyMs);
    }
  }

  async sample(): Promise<MempoolInfo | null> {
    let info: MempoolInfo;
    try {
      info = await this.rpc.call<MempoolInfo>('getmempoolinfo');
    } catch {
      this.watch.rpcFailures++;
      return null;
    }
    const w = this.watch;
    w.samples++;
    w.peakSize = Math.max(w.peakSize, info.size);
    w.peakBytes = Math.max(w.peakBytes, info.bytes);
    w.maxmempool = info.maxmempool;
    if (info.bytes > info.maxmempool) w.overBound++;
    return info;
  }

  async stop(): Promise<MempoolWatch> {
    this.stopped = true;
    await this.done;
    return this.watch;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Writes `frames` a few at a time, yielding between turns and waiting for the socket to drain. */
async function pump(peer: WirePeer, frames: Uint8Array[], deadline: number): Promise<void> {
  for (let i = 0; i < frames.length; i += FRAMES_PER_TURN) {
    if (peer.closed) throw new Error(`${peer.id}: the node closed the connection after ${i} of ${frames.length} transactions`);
    if (!peer.socket.write(Buffer.concat(frames.slice(i, i + FRAMES_PER_TURN)))) {
      const left = deadline - Date.now();
      const timer = new AbortController();
      const t = setTimeout(() => timer.abort(), Math.max(0, left));
      try {
        await once(peer.socket, 'drain', { signal: timer.signal });
      } catch {
        throw new Error(`${peer.id}: the node stopped reading (socket not drained before the deadline)`);
      } finally {
        clearTimeout(t);
      }
    }
    await turn();
  }
}

interface PrintedBlock {
  height: number;
  txs: Array<{ txid: string; coinbase: boolean }>;
}

/**
 * `pubchain printchain --json` of a stopped node, its stdout into a file: the
 * CLI exits on the next tick after writing, which cuts a large document short
 * on a pipe (see the report), while a file write completes before it returns.
 */
async function printChain(def: NodeDef, file: string, timeoutMs: number): Promise<PrintedBlock[]> {
  const out = await open(file, 'w');
  let stderr = '';
  let code: number | null;
  try {
    const child = spawn(process.execPath, [PUBCHAIN_BIN, 'printchain', ...nodeArgs(def), '--json'], { stdio: ['ignore', out.fd, 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    [code] = (await once(child, 'close')) as [number | null];
    clearTimeout(timer);
  } finally {
    await out.close();
  }
  if (code !== 0) throw new Error(`pubchain printchain failed (exit ${code}): ${stderr.trim().split('\n').pop()}`);
  return JSON.parse(await readFile(file, 'utf8')) as PrintedBlock[];
}

export interface LoadReport {
  seed: number;
  sizes: LoadSizes;
  durationMs: number;
  setupMs: number;
  load: {
    sent: number;
    /** From the first frame until every peer's pong (all transactions handled). */
    handledMs: number;
    /** From the first frame until the mempool was empty again. */
    minedMs: number;
    txPerSec: number;
    blocksMined: number;
    rejects: Record<string, number>;
    mempool: MempoolWatch;
    peakRssKb: number;
  };
  mined: {
    /** Transactions without a rival mined exactly once. */
    singlesMinedOnce: number;
    pairsOneMined: number;
    pairsFirstWon: number;
    pairsBothMined: number;
    pairsNoneMined: number;
    unexpectedTxs: number;
  };
  churn: {
    handshaken: number;
    failures: string[];
    freshPongMs: number | null;
    blockCount: number | null;
    connectionsAfter: number | null;
  };
  node: { exitedDuringRun: boolean; stop: { code: number | null; signal: string | null } | null; errorLogs: string[] };
  problems: string[];
}

export interface LoadOptions extends LoadSizes {
  seed: number;
  progress?: (line: string) => void;
}

export async function runLoadTest(o: LoadOptions): Promise<LoadReport> {
  const started = Date.now();
  const say = o.progress ?? (() => undefined);
  const problems: string[] = [];
  const work = buildWorkload(o, new Rng(o.seed));
  const genesis = work.chain[0]!.hash;
  const tipHeight = work.chain[work.chain.length - 1]!.height;
  say(`signed ${work.spends.length} transactions and ${o.conflicts} rivals in ${Date.now() - started} ms`);

  const root = await tempDir('load');
  const peers: WirePeer[] = [];
  let node: LiveNode | null = null;
  let monitor: MempoolMonitor | null = null;
  const report: LoadReport = {
    seed: o.seed,
    sizes: { txs: o.txs, conflicts: o.conflicts, peers: o.peers, dropConnections: o.dropConnections, mineBudgetMs: o.mineBudgetMs },
    durationMs: 0, setupMs: 0,
    load: { sent: 0, handledMs: 0, minedMs: 0, txPerSec: 0, blocksMined: 0, rejects: {}, mempool: { samples: 0, rpcFailures: 0, peakSize: 0, peakBytes: 0, maxmempool: 0, overBound: 0 }, peakRssKb: 0 },
    mined: { singlesMinedOnce: 0, pairsOneMined: 0, pairsFirstWon: 0, pairsBothMined: 0, pairsNoneMined: 0, unexpectedTxs: 0 },
    churn: { handshaken: 0, failures: [], freshPongMs: null, blockCount: null, connectionsAfter: null },
    node: { exitedDuringRun: false, stop: null, errorLogs: [] },
    problems,
  };
  try {
    node = await startChainNode(root.dir, 'load', work.chain, [
      '--listen-only', '--bind', '127.0.0.1', '--rpc-bind', '127.0.0.1', '--miner', work.minerAddress, '--threads', '1',
    ]);
    await node.log.waitFor('node ready', (r) => r.event === EV.nodeReady, 0, 30_000);
    const rpc = await rpcOf(node.def.datadir);
    report.setupMs = Date.now() - started;

    // Rejects are the node's answer for every transaction it turned down, to its sender.
    const rejected = new Map<string, string>();
    for (let p = 0; p < o.peers; p++) {
      const peer = await WirePeer.connect(node.def.port, '127.0.0.1');
      await peer.handshake(genesis);
      peer.onMessage = (m) => { if (m.command === 'reject' && m.hash) rejected.set(hashToHex(m.hash), m.code); };
      peers.push(peer);
    }
    // Each peer's stream in output order, so a rival pair sits at about the same place in two streams.
    const streams: Uint8Array[][] = Array.from({ length: o.peers }, () => []);
    for (const sp of work.spends) {
      streams[sp.peerA]!.push(frameOf({ command: 'tx', tx: serializeTx(sp.a) }));
      if (sp.b) streams[sp.peerB]!.push(frameOf({ command: 'tx', tx: serializeTx(sp.b) }));
    }
    report.load.sent = streams.reduce((n, s) => n + s.length, 0);

    monitor = new MempoolMonitor(rpc);
    const t0 = Date.now();
    const deadline = t0 + o.mineBudgetMs;
    await Promise.all(peers.map((peer, p) => pump(peer, streams[p]!, deadline)));
    say(`sent ${report.load.sent} tx frames from ${o.peers} peers in ${Date.now() - t0} ms`);
    // A pong comes back only once everything its peer sent before the ping is handled.
    await Promise.all(peers.map((peer) => peer.ping(Math.max(1000, deadline - Date.now()))));
    report.load.handledMs = Date.now() - t0;
    say(`all transactions handled after ${report.load.handledMs} ms`);
    for (;;) {
      if (node.proc.exited) throw new Error('the node exited while mining the load');
      const info = await monitor.sample();
      if (info && info.size === 0) break;
      if (Date.now() > deadline) throw new Error(`the mempool still held ${info?.size ?? '?'} transactions ${o.mineBudgetMs} ms after the first was sent`);
      await sleep(100);
    }
    report.load.minedMs = Date.now() - t0;
    report.load.mempool = await monitor.stop();
    monitor = null;
    report.load.txPerSec = Math.round((o.txs / report.load.minedMs) * 1000);
    report.load.blocksMined = node.log.count('mined a block');
    for (const code of rejected.values()) report.load.rejects[code] = (report.load.rejects[code] ?? 0) + 1;
    say(`mempool empty after ${report.load.minedMs} ms (${report.load.txPerSec} tx/s, ${report.load.blocksMined} blocks)`);
    checkRejects(work.spends, rejected, problems);
    const w = report.load.mempool;
    if (w.samples === 0) problems.push('no getmempoolinfo sample succeeded during the load');
    if (w.overBound > 0) problems.push(`${w.overBound} mempool samples above maxmempool (peak ${w.peakBytes} of ${w.maxmempool} bytes)`);

    await churnAndProbe(node, rpc, genesis, o, report, problems);
    report.load.peakRssKb = memStats(node.pid)?.peakRssKb ?? 0;
    for (const peer of peers.splice(0)) peer.close();

    report.node.exitedDuringRun = node.proc.exited;
    if (node.proc.exited) problems.push(`the node exited during the run (code ${node.proc.child.exitCode}, signal ${node.proc.child.signalCode})`);
    report.node.stop = await node.proc.stop(10_000);
    if (report.node.stop.code !== 0) problems.push(`the node did not stop cleanly: ${JSON.stringify(report.node.stop)}`);
    report.node.errorLogs = node.log.errors.map((r) => JSON.stringify(r).slice(0, 400));
    if (report.node.errorLogs.length > 0) problems.push(`the node logged ${report.node.errorLogs.length} error records; first: ${report.node.errorLogs[0]}`);

    const blocks = await printChain(node.def, join(root.dir, 'printchain.json'), 120_000);
    checkMined(work.spends, blocks, tipHeight, report, problems);
  } catch (e) {
    problems.push(`run aborted: ${(e as Error).message}`);
    if (node) {
      if (!report.node.stop) report.node.exitedDuringRun = node.proc.exited;
      report.node.errorLogs = node.log.errors.map((r) => JSON.stringify(r).slice(0, 400));
    }
  } finally {
    if (monitor) await monitor.stop();
    for (const peer of peers) peer.close();
    if (node && !node.proc.exited) await node.proc.stop(5000, 'SIGKILL');
    await root.cleanup();
  }
  report.durationMs = Date.now() - started;
  return report;
}

/** Only a rival pair's loser may be turned down, and only for spending what its twin spent. */
function checkRejects(spends: Spend[], rejected: Map<string, string>, problems: string[]): void {
  const CONFLICT_CODES = new Set(['txn-mempool-conflict', 'missing-inputs']);
  let unexpected = 0;
  let losersRejected = 0;
  for (const sp of spends) {
    const ra = rejected.get(sp.aId);
    const rb = sp.bId ? rejected.get(sp.bId) : undefined;
    if (!sp.b) {
      if (ra !== undefined && unexpected++ < 5) problems.push(`transaction ${sp.aId} without a rival was rejected: ${ra}`);
      continue;
    }
    if (ra !== undefined && rb !== undefined && unexpected++ < 5) problems.push(`both of the rival pair ${sp.aId} / ${sp.bId} were rejected (${ra}, ${rb})`);
    const code = ra ?? rb;
    if (code === undefined) continue;
    if (CONFLICT_CODES.has(code)) losersRejected++;
    else if (unexpected++ < 5) problems.push(`a rival pair's loser was rejected as ${code}, not as a conflict`);
  }
  if (unexpected > 5) problems.push(`… ${unexpected - 5} more unexpected rejects`);
  const pairs = spends.filter((s) => s.b).length;
  if (losersRejected !== pairs) problems.push(`${pairs - losersRejected} of ${pairs} rival pairs got no conflict reject for the loser`);
}

function checkMined(spends: Spend[], blocks: PrintedBlock[], fixtureTip: number, report: LoadReport, problems: string[]): void {
  const count = new Map<string, number>();
  const expected = new Set<string>();
  for (const sp of spends) {
    expected.add(sp.aId);
    if (sp.bId) expected.add(sp.bId);
  }
  for (const b of blocks) {
    if (b.height <= fixtureTip) continue;
    for (const t of b.txs) {
      if (t.coinbase) continue;
      count.set(t.txid, (count.get(t.txid) ?? 0) + 1);
      if (!expected.has(t.txid)) report.mined.unexpectedTxs++;
    }
  }
  const m = report.mined;
  const bad: string[] = [];
  for (const sp of spends) {
    const a = count.get(sp.aId) ?? 0;
    if (!sp.bId) {
      if (a === 1) m.singlesMinedOnce++;
      else bad.push(`${sp.aId} mined ${a} times`);
      continue;
    }
    const b = count.get(sp.bId) ?? 0;
    if (a + b === 1) {
      m.pairsOneMined++;
      if (a === 1) m.pairsFirstWon++;
    } else if (a > 0 && b > 0) {
      m.pairsBothMined++;
      bad.push(`both of the rival pair ${sp.aId} / ${sp.bId} mined (${a}, ${b})`);
    } else if (a + b === 0) {
      m.pairsNoneMined++;
      bad.push(`neither of the rival pair ${sp.aId} / ${sp.bId} mined`);
    } else {
      bad.push(`rival pair ${sp.aId} / ${sp.bId} mined ${a} and ${b} times`);
    }
  }
  problems.push(...bad.slice(0, 10));
  if (bad.length > 10) problems.push(`… ${bad.length - 10} more transactions not mined exactly once`);
  if (m.unexpectedTxs > 0) problems.push(`${m.unexpectedTxs} transactions in mined blocks that no peer sent`);
}

/** A hundred connections that handshake and drop at once; then a fresh peer and RPC must still be served. */
async function churnAndProbe(node: LiveNode, rpc: Rpc, genesis: Uint8Array, o: LoadSizes, report: LoadReport, problems: string[]): Promise<void> {
  const c = report.churn;
  const results = await Promise.allSettled(Array.from({ length: o.dropConnections }, async () => {
    const p = await WirePeer.connect(node.def.port, '127.0.0.1', 5000);
    try {
      await p.handshake(genesis, {}, 10_000);
    } finally {
      p.close();
    }
  }));
  for (const r of results) {
    if (r.status === 'fulfilled') c.handshaken++;
    else if (c.failures.length < 5) c.failures.push(String((r.reason as Error).message));
  }
  if (c.handshaken !== o.dropConnections) problems.push(`${o.dropConnections - c.handshaken} of ${o.dropConnections} dropping connections did not finish the handshake: ${c.failures.join('; ')}`);
  if (node.proc.exited) throw new Error('the node exited under the connection churn');

  const fresh = await WirePeer.connect(node.def.port, '127.0.0.1');
  try {
    await fresh.handshake(genesis);
    c.freshPongMs = Math.round(await fresh.ping(PONG_AFTER_CHURN_MS));
  } catch (e) {
    problems.push(`after the churn a fresh peer got no pong within ${PONG_AFTER_CHURN_MS} ms: ${(e as Error).message}`);
  }
  try {
    c.blockCount = await rpc.call<number>('getblockcount');
  } catch (e) {
    problems.push(`after the churn RPC getblockcount did not answer: ${(e as Error).message}`);
  }
  // The load peers and the fresh one stay; every dropped connection must be forgotten.
  const want = o.peers + 1;
  for (const end = Date.now() + 5000; ;) {
    c.connectionsAfter = await rpc.call<number>('getconnectioncount').catch(() => null);
    if (c.connectionsAfter === want || Date.now() > end) break;
    await sleep(100);
  }
  if (c.connectionsAfter !== want) problems.push(`${c.connectionsAfter} connections 5 s after the churn, expected ${want}`);
  fresh.close();
}

async function main(argv: string[]): Promise<void> {
  const sizes = argv.includes('--long') ? LONG : SHORT;
  const seed = seedFromArgs(argv);
  process.stdout.write(`load test: ${sizes.txs} transactions, ${sizes.conflicts} rival pairs, ${sizes.peers} peers, seed ${seed}\n`);
  const r = await runLoadTest({ ...sizes, seed, progress: (l) => process.stdout.write(`  ${l}\n`) });
  process.stdout.write(`${JSON.stringify({ ...r, problems: undefined }, null, 2)}\n`);
  for (const p of r.problems) process.stdout.write(`PROBLEM: ${p}\n`);
  process.stdout.write(r.problems.length === 0 ? 'load test passed\n' : 'load test FAILED\n');
  process.exitCode = r.problems.length === 0 ? 0 : 1;
}

// `node --test dist/test/` also loads every file under a test/ directory: as a test it must do nothing.
const runByTestRunner = process.env.NODE_TEST_CONTEXT !== undefined;
if (!runByTestRunner && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
