// `npm run simnet`: sets up the namespaces (or explains why loopback), runs the
// controller inside its own namespace on the bridge (so the host's namespace is
// never touched), and tears everything down afterwards, on Ctrl-C or a failure too.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/cliProcess.js';
import { tempDir } from '../../test/helpers/tempDir.js';
import { parseArgs, type SimArgs } from './args.js';
import { startFleet, type Fleet } from './fleet.js';
import { IsolationInfo, nsName, setUp, sweepStale, teardown } from './isolation.js';
import { html, summarise, type Timeline } from './report.js';
import { churn, partition, propagation, type ChurnResult, type PartitionResult, type PropagationResult } from './scenarios.js';
import { surrounded, type SurroundedResult } from './surrounded.js';
import { loadTopology } from './topology.js';

const INNER = 'PUBCHAIN_SIMNET_INNER';

async function runScenarios(a: SimArgs, iso: IsolationInfo): Promise<number> {
  const topo = loadTopology(a.topology, a.nodes, a.seed);
  const root = await tempDir('simnet');
  let fleet: Fleet | null = null;
  const stopAll = async (): Promise<void> => { await fleet?.close().catch(() => undefined); await root.cleanup().catch(() => undefined); };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { void stopAll().finally(() => process.exit(130)); });
  try {
    const started = Date.now();
    fleet = await startFleet(root.dir, iso, topo, a.shape, a.seed, freePort);
    if (!a.json) console.log(`${topo.nodes} nodes up in ${Date.now() - started} ms (${topo.name}, ${topo.edges.length} links)`);
    const want = (s: string): boolean => a.scenario === s || a.scenario === 'all' || (a.scenario === 'short' && s !== 'none');
    let p: PropagationResult | null = null;
    let part: PartitionResult | null = null;
    let ch: ChurnResult | null = null;
    if (want('propagation')) p = await propagation(fleet, a.scenario === 'short' ? Math.min(a.blocks, 2) : a.blocks);
    if (want('partition')) part = await partition(fleet, Number(process.env.SIMNET_HEAL_MS ?? 10_000));
    const sur: SurroundedResult | null = want('surrounded') ? await surrounded(fleet, a.junk, a.seed, iso.mode === 'loopback', 30_000) : null;
    // Churn stops every node at its end (for the reindex checks): it runs last.
    if (want('churn')) ch = await churn(fleet, a.scenario === 'short' ? 1 : a.kills, a.seed);
    const r = { ...summarise({ scenario: a.scenario, nodes: topo.nodes, isolation: iso.mode, note: iso.note, shaping: iso.shaping, topology: topo.name, link: a.shape }, p, part, ch), surrounded: sur };
    if (sur && !sur.learned) r.problems.push('surrounded: node 0 did not learn the honest chain');
    if (sur && sur.junkDropped < sur.junkPeers) r.problems.push(`surrounded: ${sur.junkPeers - sur.junkDropped} junk peer(s) still connected`);
    r.ok = r.problems.length === 0;
    const lines: Timeline[] = fleet.nodes.map((n) => ({ node: n.i, side: n.i < Math.floor(topo.nodes / 2) ? 0 : 1, points: n.timeline }));
    if (a.report) await writeFile(a.report, html(r, p, part, lines));
    if (a.json) console.log(JSON.stringify(r));
    else {
      if (r.propagation) console.log(`block propagation: p50 ${r.propagation.p50Ms} ms, p90 ${r.propagation.p90Ms} ms, max ${r.propagation.maxMs} ms`);
      if (r.txPropagation) console.log(`tx propagation:    p50 ${r.txPropagation.p50Ms} ms, p90 ${r.txPropagation.p90Ms} ms, max ${r.txPropagation.maxMs} ms`);
      if (part) console.log(`partition: converged ${part.converged} in ${part.convergeMs} ms after healing, reorg depth ${part.reorgDepth}, txs lost ${part.txLost}, double spends ${part.doubleSpends}`);
      if (ch) console.log(`churn: ${ch.kills} kill(s), converged ${ch.converged}, UTXO = reindex on ${ch.utxoChecked - ch.utxoMismatches.length}/${ch.utxoChecked} nodes`);
      if (sur) console.log(`surrounded: learned the honest chain ${sur.learned} in ${sur.learnMs} ms, ${sur.junkDropped}/${sur.junkPeers} junk peers dropped after ${sur.junkUnits} junk units`);
      for (const x of r.problems) console.log(`PROBLEM: ${x}`);
      if (a.report) console.log(`report: ${a.report}`);
    }
    return r.ok ? 0 : 1;
  } finally {
    await stopAll();
  }
}

async function outer(argv: string[]): Promise<number> {
  let a: SimArgs;
  try { a = parseArgs(argv); } catch (e) { console.error((e as Error).message); return 2; }
  try {
    const stale = sweepStale();
    if (stale > 0) console.error(`simnet: removed ${stale} namespace(s) left by an earlier run`);
  } catch { /* no ip: loopback below */ }
  let nodes = a.nodes;
  let uniform: SimArgs['shape'] | null = a.shape;
  try {
    const t = loadTopology(a.topology, a.nodes, a.seed);
    nodes = t.nodes;
    if (t.edges.some((e) => e.shape)) uniform = null;
  } catch (e) { console.error(`simnet: ${(e as Error).message}`); return 2; }
  const iso = setUp(nodes, a.loopback, uniform);
  const head = `simnet isolation: ${iso.mode} — ${iso.note}`;
  if (a.json) console.error(head); else console.log(head);
  a.nodes = nodes;
  if (iso.mode === 'loopback') return runScenarios(a, iso);
  const child = spawn('ip', ['netns', 'exec', nsName(iso.tag, 'ctl'), process.execPath, fileURLToPath(import.meta.url), ...argv], {
    stdio: 'inherit', env: { ...process.env, [INNER]: JSON.stringify(iso) },
  });
  let forced: NodeJS.Timeout | null = null;
  const onSignal = (): void => {
    child.kill('SIGTERM');
    forced ??= setTimeout(() => { teardown(iso); process.exit(130); }, 20_000);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 130 : 1))));
  if (forced) clearTimeout(forced);
  teardown(iso);
  return code;
}

const innerIso = process.env[INNER];
const run = innerIso ? runScenarios(parseArgs(process.argv.slice(2)), JSON.parse(innerIso) as IsolationInfo).then((c) => c, (e) => { console.error(`simnet: ${(e as Error).stack ?? e}`); return 1; })
  : outer(process.argv.slice(2)).catch((e) => { console.error(`simnet: ${(e as Error).stack ?? e}`); return 1; });
process.exitCode = await run;
