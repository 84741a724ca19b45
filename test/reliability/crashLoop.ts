// Crash consistency: SIGKILL a node process at random moments while it
//   (a) syncs a chain from a source node process,
//   (b) mines (--miner ADDR --mine-always) with transactions offered to it,
//   (c) reorganises onto a heavier competing branch served by a source node,
// and after every kill check what it left (crashChecks.ts): the UTXO set equals
// the one rebuilt from the blocks, the tip is a block it may be at (never
// below a tip it had reported, never a lower-work block of a branch it was
// leaving), the wallet still holds its keys, and no mined transaction was lost.
// Then restart it; at the end of each episode it must reach the source's tip.
//
//   node dist/test/reliability/crashLoop.js [--long] [--seed S] [--only sync,mining,reorg]
//
// Short form: 8 kills on small chains; --long: 50 kills, a 2000-block sync.
import { cp } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { cliJson, NodeDef, NodeProcess } from '../helpers/cliProcess.js';
import { COIN } from '../../src/core/amount.js';
import { encodeAddress } from '../../src/crypto/address.js';
import { buildChain, signedTx, testKey } from '../helpers/chainFixtures.js';
import { writeChain } from '../helpers/nodeHarness.js';
import { tempDir } from '../helpers/tempDir.js';
import { AfterKill, checkAfterKill, StoredTip } from './crashChecks.js';
import { hexOf, isReady, nodeDef, startChainNode } from './liveNode.js';
import { NodeLog } from './nodeLog.js';
import { Rng, seedFromArgs } from './rng.js';
import { TxFeeder } from './txFeeder.js';
import { EV } from '../../src/node/logEvents.js';

export type Scenario = 'sync' | 'mining' | 'reorg';
export const SCENARIOS: readonly Scenario[] = ['sync', 'mining', 'reorg'];

export interface CrashLoopSizes {
  kills: Record<Scenario, number>;
  /** Kills before a sync or reorg episode is let run to the end (then a fresh data directory). */
  killsPerEpisode: number;
  syncBlocks: number;
  /** Blocks shared by both branches, on the victim's branch, and on the heavier source branch. */
  reorg: { common: number; victim: number; source: number };
  /** Transactions offered to the miner. */
  miningTxs: number;
}

export const SHORT: CrashLoopSizes = { kills: { sync: 3, mining: 3, reorg: 2 }, killsPerEpisode: 2, syncBlocks: 600, reorg: { common: 100, victim: 100, source: 180 }, miningTxs: 10 };
export const LONG: CrashLoopSizes = { kills: { sync: 20, mining: 15, reorg: 15 }, killsPerEpisode: 2, syncBlocks: 2000, reorg: { common: 1000, victim: 400, source: 700 }, miningTxs: 50 };

export interface CrashLoopOptions extends CrashLoopSizes {
  seed: number;
  only?: Scenario[];
  progress?: (line: string) => void;
}

interface LoggedTip { height: number; hash: string }

export interface KillRecord {
  scenario: Scenario;
  episode: number;
  /** From spawn, or from the trigger named in `phase`. */
  delayMs: number;
  /** The last "new tip" the process logged before it died. */
  logged: LoggedTip | null;
  /** The tip as the kill left it, before any recovery, and whether a reorganisation was half done. */
  rawTip: string | null;
  midReorg: boolean;
  stored: StoredTip | null;
  phase: string;
  /** Mining: transactions stored in blocks after this kill. */
  confirmedTxs?: number;
  problems: string[];
}

export interface EpisodeRecord {
  scenario: Scenario;
  episode: number;
  kills: number;
  final: StoredTip | null;
  reachedTarget: boolean;
  problems: string[];
}

export interface CrashLoopReport {
  seed: number;
  durationMs: number;
  kills: KillRecord[];
  episodes: EpisodeRecord[];
  summary: { kills: number; survived: number; byScenario: Record<Scenario, number>; midSync: number; midReorg: number; txsLost: number };
  problems: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One lifetime of a node process. */
class Run {
  readonly log: NodeLog;
  readonly closed: Promise<void>;
  private killed = false;

  private constructor(readonly proc: NodeProcess) {
    this.log = new NodeLog(proc.child);
    // 'close' comes after the exit and after stderr is drained: every line the process wrote is parsed by then.
    this.closed = new Promise((resolve) => proc.child.once('close', () => resolve()));
  }

  static spawn(def: NodeDef, args: string[]): Run {
    return new Run(NodeProcess.start(def, args));
  }

  get exitedByItself(): string | null {
    const c = this.proc.child;
    if (this.killed || (c.exitCode === null && c.signalCode === null)) return null;
    return `exited by itself (code ${c.exitCode}, signal ${c.signalCode}): ${this.log.since(0).slice(-3).map((r) => JSON.stringify(r)).join(' | ')}`;
  }

  /** Sleeps, unless the process ends first. */
  async sleep(ms: number): Promise<void> {
    await Promise.race([sleep(ms), this.closed]);
  }

  async kill(): Promise<void> {
    this.killed = true;
    this.proc.child.kill('SIGKILL');
    await this.closed;
  }

  async stopClean(): Promise<string | null> {
    // A SIGTERM before startup is over can end the process uncleanly (docs/reliability.md): wait for it.
    const ready = await this.log.waitFor('node ready', isReady, 0, 30_000).then(() => null, (e: Error) => e.message);
    this.killed = true;
    const r = await this.proc.stop(15_000);
    if (ready) return `never ready: ${ready}`;
    await this.closed;
    return r.code === 0 ? null : `did not stop cleanly: ${JSON.stringify(r)}`;
  }

  lastTip(): LoggedTip | null {
    const tips = this.log.since(0).filter((r) => r.event === EV.newTip);
    const t = tips[tips.length - 1];
    return t ? { height: t.height as number, hash: t.hash as string } : null;
  }

  errorProblems(): string[] {
    return this.log.errors.map((e) => `error logged: ${JSON.stringify(e)}`);
  }
}

async function createWallets(def: NodeDef): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 2; i++) out.push((await cliJson(def, ['createwallet'])).address as string);
  return out;
}

/**
 * Checks shared by every kill: a tip the node reported ("new tip") is durable,
 * and the tip never goes back. The node logs tips at most every 200 ms while
 * blocks stream in, so the stored tip may be well above the last reported one.
 */
function tipProblems(after: AfterKill, logged: LoggedTip | null, floor: number): string[] {
  const out: string[] = [];
  const sh = after.stored?.height ?? 0;
  const lh = logged?.height ?? 0;
  if (sh < lh) out.push(`stored tip ${sh} is below the tip ${lh} the node had reported: a block it announced was lost`);
  if (logged && after.stored && sh === lh && after.stored.hash !== logged.hash) out.push(`stored tip ${after.stored.hash} differs from the reported ${logged.hash} at height ${sh}`);
  if (sh < floor) out.push(`the stored tip went back from ${floor} to ${sh}`);
  return out;
}

export async function runCrashLoop(o: CrashLoopOptions): Promise<CrashLoopReport> {
  const started = Date.now();
  const rng = new Rng(o.seed);
  const kills: KillRecord[] = [];
  const episodes: EpisodeRecord[] = [];
  const tmp = await tempDir('crashloop');
  const say = (line: string): void => o.progress?.(line);
  const record = (k: KillRecord): void => {
    kills.push(k);
    say(`${k.scenario} #${kills.length} (episode ${k.episode}, ${k.phase}, after ${k.delayMs} ms): logged ${k.logged?.height ?? '-'}, stored ${k.stored?.height ?? '-'}${k.midReorg ? ' [mid-reorg]' : ''}${k.confirmedTxs !== undefined ? `, ${k.confirmedTxs} txs mined` : ''}${k.problems.length ? ` PROBLEMS: ${k.problems.join('; ')}` : ''}`);
  };
  const wants = (s: Scenario): boolean => (o.only ? o.only.includes(s) : true) && o.kills[s] > 0;

  /** Restarts and runs the node until `done` resolves, stops it cleanly and checks it. */
  const finish = async (scenario: Scenario, episode: number, killsDone: number, def: NodeDef, args: string[], addresses: string[],
    until: (run: Run) => Promise<void>, targetHash: string | null): Promise<EpisodeRecord> => {
    const run = Run.spawn(def, args);
    const problems: string[] = [];
    try {
      await until(run);
    } catch (e) {
      problems.push(`did not resume: ${(e as Error).message}`);
    }
    const unclean = await run.stopClean();
    if (unclean) problems.push(unclean);
    problems.push(...run.errorProblems());
    const after = await checkAfterKill(def, addresses, false);
    problems.push(...after.problems);
    const reachedTarget = targetHash === null || after.stored?.hash === targetHash;
    if (!reachedTarget) problems.push(`ended at ${after.stored?.height}/${after.stored?.hash}, not at the source's tip ${targetHash}`);
    const rec: EpisodeRecord = { scenario, episode, kills: killsDone, final: after.stored, reachedTarget, problems };
    episodes.push(rec);
    say(`${scenario} episode ${episode} finished at ${after.stored?.height}${problems.length ? ` PROBLEMS: ${problems.join('; ')}` : ''}`);
    return rec;
  };

  try {
    if (wants('sync')) await syncScenario();
    if (wants('mining')) await miningScenario();
    if (wants('reorg')) await reorgScenario();
  } finally {
    await tmp.cleanup();
  }

  async function syncScenario(): Promise<void> {
    const chain = buildChain(null, o.syncBlocks, testKey(21));
    const heightOf = new Map(chain.map((b) => [hexOf(b), b.height]));
    const target = chain[chain.length - 1]!;
    const source = await startChainNode(tmp.dir, 'sync-source', chain);
    const args = ['--listen-only', '--connect', `127.0.0.1:${source.def.port}`];
    const connected = (run: Run): Promise<unknown> => run.log.waitFor('peer connected', (r) => r.event === EV.peerConnected, 0, 30_000);
    const synced = (run: Run): Promise<void> => run.log.waitFor(`height ${target.height}`, (r) => r.event === EV.newTip && r.height === target.height, 0, 120_000).then(() => undefined);
    try {
      // How long the sync takes after the handshake: the kills land in that window.
      let window = 0;
      const cal = await nodeDef(tmp.dir, 'sync-calibration');
      await finish('sync', 0, 0, cal, args, await createWallets(cal), async (run) => {
        await connected(run);
        const t0 = Date.now();
        await synced(run);
        window = Math.max(100, Date.now() - t0);
      }, hexOf(target));
      say(`sync: ${chain.length} blocks took ${window} ms after the handshake`);
      for (let episode = 1, done = 0; done < o.kills.sync; episode++) {
        const def = await nodeDef(tmp.dir, `sync-${episode}`);
        const addresses = await createWallets(def);
        let floor = 0;
        let inEpisode = 0;
        for (; inEpisode < o.killsPerEpisode && done < o.kills.sync; inEpisode++, done++) {
          const run = Run.spawn(def, args);
          const problems: string[] = [];
          await connected(run).catch((e: Error) => problems.push(e.message));
          // A restarted sync has less left to do.
          const delayMs = rng.int(0, Math.round(window * (inEpisode === 0 ? 0.9 : 0.5)));
          await run.sleep(delayMs);
          const early = run.exitedByItself;
          await run.kill();
          const logged = run.lastTip();
          const after = await checkAfterKill(def, addresses, true);
          problems.push(...after.problems, ...tipProblems(after, logged, floor));
          if (early) problems.push(early);
          if (after.stored && heightOf.get(after.stored.hash) !== after.stored.height) problems.push(`stored tip ${after.stored.height}/${after.stored.hash} is not the source chain's block at that height`);
          floor = Math.max(floor, after.stored?.height ?? 0);
          const phase = !after.stored ? 'before genesis' : after.stored.height < target.height ? 'syncing' : 'synced';
          record({ scenario: 'sync', episode, delayMs, logged, rawTip: after.raw.tip, midReorg: after.raw.midReorg, stored: after.stored, phase, problems });
        }
        await finish('sync', episode, inEpisode, def, args, addresses, synced, hexOf(target));
      }
    } finally {
      await source.proc.stop();
    }
  }

  async function miningScenario(): Promise<void> {
    const funder = testKey(41);
    const payee = testKey(42);
    const prefix = buildChain(null, Math.max(o.miningTxs + 10, 20), funder);
    const txs = prefix.slice(0, o.miningTxs).map((b) => signedTx([b.reward], [{ value: COIN, pubKeyHash: payee.pkh }, { value: b.reward.value - COIN, pubKeyHash: funder.pkh }]));
    const payeeAddress = encodeAddress(payee.pkh);
    const confirmedTxs = async (def: NodeDef): Promise<number> => Number((await cliJson(def, ['getbalance', '--address', payeeAddress])).units) / COIN;
    const def = await nodeDef(tmp.dir, 'mining');
    await writeChain(def.datadir, prefix);
    const addresses = await createWallets(def);
    const args = ['--listen-only', '--miner', addresses[0]!, '--mine-always', '--threads', '1'];
    const feeder = new TxFeeder(txs, prefix[0]!.hash);
    let floor = prefix.length;
    let confirmed = 0;
    try {
      for (let k = 0; k < o.kills.mining; k++) {
        const run = Run.spawn(def, args);
        const problems: string[] = [];
        try {
          await run.log.waitFor('listening', (r) => r.event === EV.listening, 0, 30_000);
          await feeder.attach(def.port);
        } catch (e) {
          problems.push(`could not feed transactions: ${(e as Error).message}`);
        }
        // Regtest mines thousands of blocks a second, each a second or so ahead of the last
        // once past the clock: short runs keep the chain's time within the 2-hour limit.
        const delayMs = rng.int(30, 500);
        await run.sleep(delayMs);
        const early = run.exitedByItself;
        await run.kill();
        feeder.detach();
        const logged = run.lastTip();
        const after = await checkAfterKill(def, addresses, false);
        problems.push(...after.problems, ...tipProblems(after, logged, floor), ...run.errorProblems());
        if (early) problems.push(early);
        floor = Math.max(floor, after.stored?.height ?? 0);
        const now = await confirmedTxs(def);
        if (now < confirmed) problems.push(`${confirmed - now} transactions that were stored in blocks are gone`);
        confirmed = Math.max(confirmed, now);
        record({ scenario: 'mining', episode: 1, delayMs, logged, rawTip: after.raw.tip, midReorg: after.raw.midReorg, stored: after.stored, phase: 'mining', confirmedTxs: now, problems });
      }
      const ep = await finish('mining', 1, o.kills.mining, def, args, addresses, async (run) => {
        await run.log.waitFor('listening', (r) => r.event === EV.listening, 0, 30_000);
        await feeder.attach(def.port);
        await run.log.waitFor('blocks after the transactions were offered', (r) => r.event === EV.newTip && (r.height as number) >= floor + 20, 0, 30_000);
        // Nothing may be in flight when the node is stopped: see "shutdown" in docs/reliability.md.
        await feeder.drain();
      }, null);
      const final = await confirmedTxs(def);
      if (final !== txs.length) ep.problems.push(`${txs.length - final} of ${txs.length} offered transactions were never mined`);
      const lost = Math.max(0, confirmed - final);
      if (lost > 0) ep.problems.push(`${lost} mined transactions lost by the end`);
    } finally {
      feeder.detach();
    }
  }

  async function reorgScenario(): Promise<void> {
    const { common: nc, victim: nv, source: ns } = o.reorg;
    const common = buildChain(null, nc, testKey(31));
    const victimBranch = buildChain(common[nc - 1]!, nv, testKey(32), 1);
    const sourceBranch = buildChain(common[nc - 1]!, ns, testKey(33), 2);
    const vTip = nc + nv;
    const onVictim = new Map([...common, ...victimBranch].map((b) => [hexOf(b), b.height]));
    const onSource = new Map(sourceBranch.map((b) => [hexOf(b), b.height]));
    const target = sourceBranch[ns - 1]!;
    const source = await startChainNode(tmp.dir, 'reorg-source', [...common, ...sourceBranch]);
    const template = await nodeDef(tmp.dir, 'reorg-template');
    await writeChain(template.datadir, [...common, ...victimBranch]);
    const addresses = await createWallets(template);
    const fresh = async (name: string): Promise<NodeDef> => {
      const def = await nodeDef(tmp.dir, name);
      await cp(template.datadir, def.datadir, { recursive: true });
      return def;
    };
    const argsOf = (): string[] => ['--listen-only', '--connect', `127.0.0.1:${source.def.port}`];
    const connected = (run: Run): Promise<unknown> => run.log.waitFor('peer connected', (r) => r.event === EV.peerConnected, 0, 30_000);
    const reorged = (run: Run, ms: number): Promise<unknown> => run.log.waitFor('the reorganisation', (r) => r.event === EV.newTip && onSource.has(r.hash as string), 0, ms);
    try {
      // How long the side-branch download and the reorganisation take here: kills land in that window.
      const cal = await fresh('reorg-calibration');
      const calRun = Run.spawn(cal, argsOf());
      await connected(calRun);
      const t0 = Date.now();
      await reorged(calRun, 120_000);
      const window = Math.max(200, Date.now() - t0);
      await calRun.stopClean();
      say(`reorg: ${nv} blocks replaced by ${nv + 1}+ took ${window} ms after the handshake`);

      for (let episode = 1, done = 0; done < o.kills.reorg; episode++) {
        const def = await fresh(`reorg-${episode}`);
        let floor = vTip;
        let inEpisode = 0;
        for (; inEpisode < o.killsPerEpisode && done < o.kills.reorg; inEpisode++, done++) {
          const run = Run.spawn(def, argsOf());
          const problems: string[] = [];
          let delayMs: number;
          if (inEpisode === 0) {
            await connected(run).catch((e: Error) => problems.push(e.message));
            // The side branch downloads first; the reorganisation itself is the later part of the window.
            delayMs = rng.int(Math.round(window * 0.3), Math.round(window * 1.1));
          } else {
            delayMs = rng.int(200, 1200);
          }
          await run.sleep(delayMs);
          const early = run.exitedByItself;
          await run.kill();
          const logged = run.lastTip();
          const after = await checkAfterKill(def, addresses, false);
          problems.push(...after.problems, ...tipProblems(after, logged, floor));
          if (early) problems.push(early);
          const s = after.stored;
          if (s) {
            if (onVictim.get(s.hash) === s.height) {
              if (s.height !== vTip) problems.push(`tip ${s.height} is a block of the branch being left, below its tip ${vTip}`);
            } else if (onSource.get(s.hash) === s.height) {
              if (s.height <= vTip) problems.push(`tip ${s.height} is a block of the new branch with no more work than the old tip ${vTip}`);
            } else {
              problems.push(`tip ${s.height}/${s.hash} is on neither branch`);
            }
          }
          floor = Math.max(floor, s?.height ?? 0);
          const phase = after.raw.midReorg ? 'mid-reorg' : s && onSource.has(s.hash) ? 'after reorg' : 'before reorg';
          record({ scenario: 'reorg', episode, delayMs, logged, rawTip: after.raw.tip, midReorg: after.raw.midReorg, stored: s, phase: inEpisode === 0 ? phase : `${phase} (restarted)`, problems });
        }
        await finish('reorg', episode, inEpisode, def, argsOf(), addresses,
          (run) => run.log.waitFor(`height ${target.height}`, (r) => r.event === EV.newTip && r.hash === hexOf(target), 0, 120_000).then(() => undefined), hexOf(target));
      }
    } finally {
      await source.proc.stop();
    }
  }

  const problems = [
    ...kills.flatMap((k, i) => k.problems.map((p) => `${k.scenario} kill #${i + 1}: ${p}`)),
    ...episodes.flatMap((e) => e.problems.map((p) => `${e.scenario} episode ${e.episode}: ${p}`)),
  ];
  const byScenario = { sync: 0, mining: 0, reorg: 0 };
  for (const k of kills) byScenario[k.scenario]++;
  const mined = kills.filter((k) => k.confirmedTxs !== undefined).map((k) => k.confirmedTxs!);
  let txsLost = 0;
  for (let i = 1; i < mined.length; i++) txsLost += Math.max(0, Math.max(...mined.slice(0, i)) - mined[i]!);
  return {
    seed: o.seed, durationMs: Date.now() - started, kills, episodes,
    summary: {
      kills: kills.length, survived: kills.filter((k) => k.problems.length === 0).length, byScenario,
      midSync: kills.filter((k) => k.phase === 'syncing').length, midReorg: kills.filter((k) => k.midReorg).length, txsLost,
    },
    problems,
  };
}

async function main(argv: string[]): Promise<void> {
  const sizes = argv.includes('--long') ? LONG : SHORT;
  const i = argv.indexOf('--only');
  const only = i >= 0 ? (argv[i + 1] ?? '').split(',').filter((s): s is Scenario => (SCENARIOS as readonly string[]).includes(s)) : undefined;
  const seed = seedFromArgs(argv);
  process.stdout.write(`crash loop: ${JSON.stringify(sizes.kills)} kills, seed ${seed}\n`);
  const r = await runCrashLoop({ ...sizes, seed, only, progress: (l) => process.stdout.write(`  ${l}\n`) });
  process.stdout.write(`${JSON.stringify({ seed: r.seed, durationMs: r.durationMs, summary: r.summary, episodes: r.episodes.map((e) => ({ ...e, final: e.final?.height })) }, null, 2)}\n`);
  for (const p of r.problems) process.stdout.write(`PROBLEM: ${p}\n`);
  process.stdout.write(r.problems.length === 0 ? 'crash loop passed\n' : 'crash loop FAILED\n');
  process.exitCode = r.problems.length === 0 ? 0 : 1;
}

// `node --test dist/test/` also loads every file under a test/ directory: as a test it must do nothing.
const runByTestRunner = process.env.NODE_TEST_CONTEXT !== undefined;
if (!runByTestRunner && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
