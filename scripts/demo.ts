// `npm run demo`: the tutorial's three-node walkthrough, as separate OS
// processes on 127.0.0.1 with temporary data directories.
//   1. central (8000), wallet (8001) and miner (8002) nodes; free ports if taken
//   2. wallets; the chain on the central node; transfers of 22 and 11 with --mine
//   3. the wallet node syncs; it sends 11 to the miner without --mine; the miner
//      mines it; all three nodes converge
// With --spv (`npm run demo -- --spv`) the wallet node is a light wallet
// (startnode --spv, watching A and M besides its own B and C): it syncs headers
// and filters, and its send goes through the running node to its full peer.
// Prints each step and a table of heights and balances; exits non-zero with the
// reason if anything is off, and always within 60 seconds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, freePort, NodeDef, NodeProcess, portIsFree } from '../test/helpers/cliProcess.js';
import { EV, eventPattern } from '../src/node/logEvents.js';
import { findRunningNode } from '../src/cli/runningNode.js';

/** Each run's own time budget (the tests run the demo twice in one process). */
const BUDGET_MS = 60_000;
const DEFAULT_NETWORK = process.env.DEMO_NETWORK ?? 'main';

async function choosePort(wanted: number): Promise<number> {
  return (await portIsFree(wanted)) ? wanted : freePort();
}

export interface DemoResult {
  heights: Record<string, number>;
  balances: Record<string, Record<string, string>>;
}

export const EXPECTED_BALANCES: Record<string, string> = { A: '42', B: '11', C: '11', M: '36' };

/** Runs the walkthrough in `root`; returns what every node sees. */
export interface DemoOptions {
  say?: (line: string) => void;
  /** Tests take ephemeral ports; the demo tries the tutorial's 8000-8002 first. */
  ephemeralPorts?: boolean;
  network?: string;
  /** The wallet node as a light wallet (startnode --spv). */
  spv?: boolean;
}

/** Polls a running node's getblockcount (a light node logs no new tips) until it reaches `height`. */
async function waitForRpcHeight(node: NodeDef, height: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const live = await findRunningNode(node.datadir).catch(() => null);
    const h = live ? await live.call<number>('getblockcount', [], 3000).catch(() => 0) : 0;
    if (h >= height) return;
    if (Date.now() > end) throw new Error(`${node.role} node: timed out waiting for height ${height} (at ${h})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function balancesOf(node: NodeDef, addrs: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, addr] of Object.entries(addrs)) out[name] = (await cliJson(node, ['getbalance', '--address', addr])).balance as string;
  return out;
}

export async function runDemo(root: string, opts: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const left = (): number => Math.max(1000, BUDGET_MS - 2000 - (Date.now() - started));
  const say = opts.say ?? ((l: string) => process.stdout.write(`${l}\n`));
  const NETWORK = opts.network ?? DEFAULT_NETWORK;
  const step = (text: string): void => say(`\n» ${text}`);
  const running: NodeProcess[] = [];
  const mk = async (role: string, wanted: number): Promise<NodeDef> => {
    const port = opts.ephemeralPorts ? await freePort() : await choosePort(wanted);
    return { role, id: String(port), port, datadir: join(root, String(port)), network: NETWORK };
  };
  try {
    const central = await mk('central', 8000);
    const wallet = await mk('wallet', 8001);
    const miner = await mk('miner', 8002);
    const centralAddr = `127.0.0.1:${central.port}`;
    say(`pubchain demo (${NETWORK} network) in ${root}`);
    say(`central :${central.port}   wallet :${wallet.port}   miner :${miner.port}`);

    step('create wallets: A on the central node, B and C on the wallet node, M on the miner node');
    const A = (await cliJson(central, ['createwallet'])).address as string;
    const B = (await cliJson(wallet, ['createwallet'])).address as string;
    const C = (await cliJson(wallet, ['createwallet'])).address as string;
    const M = (await cliJson(miner, ['createwallet'])).address as string;
    const addrs: Record<string, string> = { A, B, C, M };
    for (const [name, a] of Object.entries(addrs)) say(`  ${name} = ${a}`);

    step('central: createblockchain -address A (mines the genesis block; A has 25)');
    await cliJson(central, ['createblockchain', '--address', A]);
    step('central: send 22 from A to B with --mine, then 11 from A to C with --mine');
    await cliJson(central, ['send', '--from', A, '--to', B, '--amount', '22', '--mine']);
    await cliJson(central, ['send', '--from', A, '--to', C, '--amount', '11', '--mine']);

    step('start the central node; the wallet node starts and syncs from it');
    const centralRun = NodeProcess.start(central, ['--listen-only']);
    running.push(centralRun);
    await centralRun.waitForLog(eventPattern(EV.listening), left());
    // A light wallet follows its own addresses; A and M are watched so its table can show them too.
    const walletFlags = opts.spv ? ['--spv', '--connect', centralAddr, '--watch', A, '--watch', M] : ['--connect', centralAddr];
    const walletRun = NodeProcess.start(wallet, walletFlags);
    running.push(walletRun);
    if (opts.spv) {
      await waitForRpcHeight(wallet, 3, left());
      say('  the light wallet matched filters up to height 3 (headers and filters only; bodies of its own blocks)');
    } else {
      await walletRun.waitForHeight(3, left());
      say('  the wallet node reached height 3; stopping it, as the tutorial does before its wallet sends');
      await walletRun.stop();
    }

    step('start the miner node (-miner M); it syncs from the central node');
    const minerRun = NodeProcess.start(miner, ['--connect', centralAddr, '--miner', M]);
    running.push(minerRun);
    await minerRun.waitForHeight(3, left());

    const late: Record<string, Record<string, string>> = {};
    const lateHeights: Record<string, number> = {};
    if (opts.spv) {
      step('wallet: send 11 from B to M without --mine (through the running light wallet to its full peer)');
      const sent = await cliJson(wallet, ['send', '--from', B, '--to', M, '--amount', '11']);
      say(`  txid ${sent.txids[0]}`);
      await minerRun.waitForHeight(4, left());
      await centralRun.waitForHeight(4, left());
      say('  the miner mined block 4 and the central node has it');
      step('restart the light wallet; it resumes from its stored position and matches block 4');
      await walletRun.stop();
      const walletRun2 = NodeProcess.start(wallet, walletFlags);
      running.push(walletRun2);
      await waitForRpcHeight(wallet, 4, left());
      // A light wallet keeps no chain to read once stopped: its figures are read while it runs.
      const live = await findRunningNode(wallet.datadir);
      lateHeights[wallet.role] = live ? await live.call<number>('getblockcount') : 0;
      late[wallet.role] = await balancesOf(wallet, addrs);
    } else {
      step('wallet: send 11 from B to M without --mine (a tx frame to the central node)');
      const sent = await cliJson(wallet, ['send', '--from', B, '--to', M, '--amount', '11', '--connect', centralAddr]);
      say(`  txid ${sent.txids[0]}`);
      await minerRun.waitForHeight(4, left());
      await centralRun.waitForHeight(4, left());
      say('  the miner mined block 4 and the central node has it');

      step('restart the wallet node; it syncs block 4');
      const walletRun2 = NodeProcess.start(wallet, ['--connect', centralAddr]);
      running.push(walletRun2);
      await walletRun2.waitForHeight(4, left());
    }
    for (const r of running) await r.stop();

    step('results');
    const result: DemoResult = { heights: {}, balances: {} };
    for (const node of [central, wallet, miner]) {
      if (late[node.role]) {
        result.heights[node.role] = lateHeights[node.role]!;
        result.balances[node.role] = late[node.role]!;
        continue;
      }
      const chain = (await cliJson(node, ['printchain'])) as Array<{ height: number }>;
      result.heights[node.role] = chain[0]?.height ?? 0;
      result.balances[node.role] = await balancesOf(node, addrs);
    }
    return result;
  } finally {
    for (const r of running) await r.stop().catch(() => undefined);
  }
}

export function resultTable(r: DemoResult): string {
  const head = ['node', 'height', ...Object.keys(EXPECTED_BALANCES)];
  const rows = Object.keys(r.heights).map((role) => [role, String(r.heights[role]), ...Object.keys(EXPECTED_BALANCES).map((n) => r.balances[role]![n]!)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]): string => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

export function demoProblems(r: DemoResult): string[] {
  const problems: string[] = [];
  for (const [role, h] of Object.entries(r.heights)) if (h !== 4) problems.push(`${role} is at height ${h}, expected 4`);
  for (const [role, bal] of Object.entries(r.balances)) {
    for (const [name, want] of Object.entries(EXPECTED_BALANCES)) if (bal[name] !== want) problems.push(`${role} sees ${name} = ${bal[name]}, expected ${want}`);
  }
  return problems;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'pubchain-demo-'));
  try {
    const r = await runDemo(root, { spv: process.argv.includes('--spv') });
    process.stdout.write(`${resultTable(r)}\n`);
    const problems = demoProblems(r);
    if (problems.length) throw new Error(problems.join('; '));
    process.stdout.write('\nall three nodes agree: A 42, B 11, C 11, M 36 (the miner\'s 25 reward plus 11)\n');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const watchdog = setTimeout(() => { process.stderr.write('demo failed: it did not finish within 60 seconds\n'); process.exit(1); }, BUDGET_MS);
  watchdog.unref();
  main().then(
    () => process.exit(0),
    (err: Error) => { process.stderr.write(`demo failed: ${err.message}\n`); process.exit(1); },
  );
}
