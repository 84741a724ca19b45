// Wire fuzzing against a live node process: a regtest node on a pre-built
// chain, attacked over many raw TCP connections with hostile frames (see
// fuzzFrames.ts), while a good peer pings it every second. Afterwards the
// process must still be up, have answered every ping, and hold the chain it
// started with.
//
//   node dist/test/reliability/wireFuzz.js [--long] [--frames N] [--seed S] [--concurrency C] [--exclude kind,kind | --only kind,kind]
//
// Short form: about 3,000 frames; --long: 100,000.
import { pathToFileURL } from 'node:url';
import { cliJson } from '../helpers/cliProcess.js';
import { concatBytes } from '../../src/core/bytes.js';
import { buildChain, testKey } from '../helpers/chainFixtures.js';
import { tempDir } from '../helpers/tempDir.js';
import { makeUnit, UNIT_WEIGHTS, UnitKind } from './fuzzFrames.js';
import { GoodPeer, GoodPeerStats } from './goodPeer.js';
import { hexOf, startChainNode, storedTip, Tip } from './liveNode.js';
import type { LogRecord } from './nodeLog.js';
import { memStats } from './procStats.js';
import { Rng, seedFromArgs } from './rng.js';
import { frameOf, loopbackAddress, versionMessage, WirePeer } from './wirePeer.js';
import { EV } from '../../src/node/logEvents.js';

export const SHORT_FRAMES = 3_000;
export const LONG_FRAMES = 100_000;

export interface WireFuzzOptions {
  frames: number;
  seed: number;
  concurrency?: number;
  chainLength?: number;
  /** Share of attacker connections made from 127.0.0.1, the good peer's own host. */
  sameHostShare?: number;
  /** Unit kinds left out of this run. */
  exclude?: UnitKind[];
  progress?: (line: string) => void;
}

export interface WireFuzzReport {
  seed: number;
  durationMs: number;
  framesSent: number;
  /** Frames sent on connections the node had accepted (not refused at accept). */
  framesOnAccepted: number;
  units: Partial<Record<UnitKind, number>>;
  sessions: number;
  sessionsWithHandshake: number;
  /** Connections the node closed at accept, before sending anything: their host was banned. */
  refused: number;
  /** Of those, connections from 127.0.0.1: the good peer's own host was banned, yet it stayed connected. */
  refusedSameHost: number;
  droppedByNode: number;
  closedByUs: number;
  /** Sessions whose closing ping got no pong within 15 s although the connection stayed open. */
  unansweredSessions: number;
  goodPeer: GoodPeerStats;
  /** What the node logged about the good peer's connections beyond the handshake (why it was dropped, if it was). */
  goodPeerLog: LogRecord[];
  nodeExitedEarly: string | null;
  exit: { code: number | null; signal: string | null };
  peakRssKb: number;
  maxSampledRssKb: number;
  tipBefore: Tip;
  tipAfter: Tip;
  utxoReindexChanged: boolean;
  /** Error-level records in the node's log: code paths that met something unplanned. */
  nodeErrors: LogRecord[];
  /** Bytes from the node that our parser refused: the node must always speak the protocol. */
  protocolErrors: string[];
  logCounts: Record<string, number>;
}

/**
 * What is wrong with a run; empty when it passed. `pingLimitMs` also flags slow
 * pongs: the long form uses it, the short test does not (timings on a shared
 * machine are no pass/fail criterion there).
 */
export function problems(r: WireFuzzReport, pingLimitMs?: number): string[] {
  const out: string[] = [];
  if (pingLimitMs !== undefined && r.goodPeer.maxPingMs > pingLimitMs) out.push(`the good peer waited up to ${r.goodPeer.maxPingMs.toFixed(0)} ms for a pong`);
  if (r.nodeExitedEarly) out.push(`node exited during the run: ${r.nodeExitedEarly}`);
  if (r.tipAfter.hash !== r.tipBefore.hash) out.push(`tip moved from ${r.tipBefore.height}/${r.tipBefore.hash} to ${r.tipAfter.height}/${r.tipAfter.hash}`);
  if (r.utxoReindexChanged) out.push('reindexutxo found the UTXO set had drifted');
  if (r.goodPeer.pingFailures > 0) out.push(`${r.goodPeer.pingFailures} pings of the good peer failed`);
  if (r.goodPeer.drops > 0) out.push(`the good peer was dropped ${r.goodPeer.drops} times: ${JSON.stringify(r.goodPeerLog.slice(0, 3))}`);
  if (r.nodeErrors.length > 0) out.push(`${r.nodeErrors.length} error-level log records, first: ${JSON.stringify(r.nodeErrors[0])}`);
  if (r.protocolErrors.length > 0) out.push(`node sent unparsable data: ${r.protocolErrors[0]}`);
  if (r.exit.code !== 0) out.push(`node did not stop cleanly: ${JSON.stringify(r.exit)}`);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runWireFuzz(o: WireFuzzOptions): Promise<WireFuzzReport> {
  const started = Date.now();
  const rng = new Rng(o.seed);
  const key = testKey(1);
  const chain = buildChain(null, o.chainLength ?? 200, key);
  const genesis = chain[0]!.hash;
  const ctx = { rng, chain, key };
  const weights = Object.fromEntries(Object.entries(UNIT_WEIGHTS).filter(([k]) => !o.exclude?.includes(k as UnitKind))) as Record<UnitKind, number>;
  const tmp = await tempDir('wirefuzz');
  const node = await startChainNode(tmp.dir, 'fuzz', chain, ['--listen-only'], 2000);
  const port = node.def.port;
  let stopping = false;
  let nodeExitedEarly: string | null = null;
  node.proc.child.once('exit', (code, signal) => { if (!stopping) nodeExitedEarly = `exit code ${code}, signal ${signal}`; });

  const r = {
    framesSent: 0, framesOnAccepted: 0, units: {} as Partial<Record<UnitKind, number>>, sessions: 0, sessionsWithHandshake: 0,
    refused: 0, refusedSameHost: 0, droppedByNode: 0, closedByUs: 0, unansweredSessions: 0, maxSampledRssKb: 0,
  };
  const protocolErrors: string[] = [];
  const good = await GoodPeer.start(port, genesis);
  node.log.keepIf = (rec) => typeof rec.peer === 'string' && good.ids.has(rec.peer) && rec.event !== EV.peerConnected;
  const sampler = setInterval(() => {
    const m = memStats(node.pid);
    if (m) r.maxSampledRssKb = Math.max(r.maxSampledRssKb, m.rssKb);
  }, 500);
  let lastReport = Date.now();

  const session = async (n: number): Promise<void> => {
    const addr = rng.chance(o.sameHostShare ?? 0.03) ? '127.0.0.1' : loopbackAddress(n);
    const withHandshake = rng.chance(0.65);
    const frames: Uint8Array[] = [];
    if (withHandshake) frames.push(frameOf(versionMessage(rng.chance(0.5) ? genesis : new Uint8Array(32))), frameOf({ command: 'verack' }));
    const budget = rng.int(1, 40);
    let ends = false;
    while (frames.length < budget && !ends) {
      const kind = rng.weighted(weights);
      const unit = makeUnit(kind, ctx);
      r.units[kind] = (r.units[kind] ?? 0) + 1;
      frames.push(...unit.frames);
      ends = unit.ends;
    }
    let peer: WirePeer;
    try {
      peer = await WirePeer.connect(port, addr);
    } catch {
      // The listener itself refused the TCP connection: counted as refused as well.
      r.refused++;
      return;
    }
    r.sessions++;
    if (withHandshake) r.sessionsWithHandshake++;
    const bytes = concatBytes(...frames);
    if (rng.chance(0.3)) {
      // Arbitrary TCP segmentation: the parser must reassemble frames split anywhere.
      peer.socket.setNoDelay(true);
      const cuts = Array.from({ length: rng.int(1, 20) }, () => rng.int(1, bytes.length - 1)).sort((a, b) => a - b);
      let at = 0;
      for (const c of [...cuts, bytes.length]) {
        if (c <= at) continue;
        peer.write(bytes.subarray(at, c));
        at = c;
        await new Promise((res) => setImmediate(res));
      }
    } else {
      peer.write(bytes);
    }
    r.framesSent += frames.length;
    if (!ends && withHandshake && !peer.closed) {
      try {
        await peer.ping(15_000);
      } catch {
        if (!peer.closed) r.unansweredSessions++;
      }
    } else {
      await peer.waitClosed(ends ? 150 : 300);
    }
    if (peer.protocolError) protocolErrors.push(peer.protocolError);
    if (peer.refused) {
      r.refused++;
      if (addr === '127.0.0.1') r.refusedSameHost++;
    } else {
      r.framesOnAccepted += frames.length;
      if (peer.closed) r.droppedByNode++; else r.closedByUs++;
    }
    peer.close();
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (r.framesSent < o.frames && !nodeExitedEarly) {
      await session(next++);
      if (o.progress && Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        o.progress(`frames ${r.framesSent}, sessions ${r.sessions}, refused ${r.refused}, dropped ${r.droppedByNode}, good peer max ping ${good.stats.maxPingMs.toFixed(0)} ms, rss ${(r.maxSampledRssKb / 1024).toFixed(0)} MB`);
      }
    }
  };
  const tipBefore = { height: chain.length, hash: hexOf(chain[chain.length - 1]!) };
  let report: WireFuzzReport;
  try {
    await Promise.all(Array.from({ length: o.concurrency ?? 6 }, worker));
    // The node must still answer after the last attack.
    await sleep(500);
    await good.pingOnce();
    const goodStats = await good.stop();
    clearInterval(sampler);
    const peak = memStats(node.pid)?.peakRssKb ?? NaN;
    stopping = true;
    const exit = await node.proc.stop(10_000);
    const tipAfter = await storedTip(node.def);
    const reindex = await cliJson(node.def, ['reindexutxo'], 120_000) as { changed: boolean };
    report = {
      seed: o.seed, durationMs: Date.now() - started, ...r, goodPeer: goodStats, goodPeerLog: node.log.kept.slice(0, 20), nodeExitedEarly, exit,
      peakRssKb: peak, tipBefore, tipAfter, utxoReindexChanged: reindex.changed,
      nodeErrors: node.log.errors, protocolErrors: protocolErrors.slice(0, 20),
      logCounts: Object.fromEntries([...node.log.counts].sort((a, b) => b[1] - a[1]).slice(0, 25)),
    };
  } finally {
    clearInterval(sampler);
    stopping = true;
    await good.stop().catch(() => undefined);
    await node.proc.stop(5000).catch(() => undefined);
    await tmp.cleanup();
  }
  return report;
}

async function main(argv: string[]): Promise<void> {
  const long = argv.includes('--long');
  const num = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] && /^\d+$/.test(argv[i + 1]!) ? Number(argv[i + 1]) : dflt;
  };
  const seed = seedFromArgs(argv);
  const frames = num('--frames', long ? LONG_FRAMES : SHORT_FRAMES);
  process.stdout.write(`wire fuzz: ${frames} frames, seed ${seed}\n`);
  const ex = argv.indexOf('--exclude');
  const kinds = (i: number): UnitKind[] => (i >= 0 ? (argv[i + 1] ?? '').split(',').filter((k): k is UnitKind => k in UNIT_WEIGHTS) : []);
  const only = kinds(argv.indexOf('--only'));
  const exclude = only.length > 0 ? (Object.keys(UNIT_WEIGHTS) as UnitKind[]).filter((k) => !only.includes(k)) : kinds(ex);
  const report = await runWireFuzz({ frames, seed, exclude, concurrency: num('--concurrency', 6), progress: (l) => process.stdout.write(`  ${l}\n`) });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const bad = problems(report, 2000);
  for (const p of bad) process.stdout.write(`PROBLEM: ${p}\n`);
  process.stdout.write(bad.length === 0 ? 'wire fuzz passed\n' : 'wire fuzz FAILED\n');
  process.exitCode = bad.length === 0 ? 0 : 1;
}

// `node --test dist/test/` also loads every file under a test/ directory: as a test it must do nothing.
const runByTestRunner = process.env.NODE_TEST_CONTEXT !== undefined;
if (!runByTestRunner && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
