// Crash safety of the wallet file: real `pubchain` processes SIGKILLed at
// random moments during createwallet, encryptwallet, walletpassphrasechange
// and restorewallet. After every kill the wallet must open (never an
// unreadable file), hold every address it had before (never a lost key), and
// its seed must still decrypt with the old or the new passphrase to the same
// 24 words. The kill moment is a random fraction of how long the same command
// took uncut, so kills land inside scrypt, the writes and the renames alike.
//
//   node dist/test/reliability/walletCrashLoop.js [--long] [--seed S]
//
// Short form: 10 kills; --long: 60 kills.
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PUBCHAIN_BIN, runCli } from '../helpers/cliProcess.js';
import { Wallet } from '../../src/wallet/wallet.js';
import { tempDir } from '../helpers/tempDir.js';
import { Rng, seedFromArgs } from './rng.js';

export const OPS = ['createwallet', 'encryptwallet', 'walletpassphrasechange', 'restorewallet'] as const;
export type Op = (typeof OPS)[number];
export const SHORT_KILLS = 10;
export const LONG_KILLS = 60;

export interface WalletKill { op: Op; delayMs: number; exit: string; problems: string[] }
export interface WalletCrashResult { seed: number; kills: WalletKill[]; problems: string[]; durationMs: number }

interface State {
  dir: string;
  words: string;
  known: string[];
  /** Passphrases the wallet may be sealed with now (null: not encrypted). */
  candidates: Array<string | null>;
  generation: number;
}

const args = (dir: string, extra: string[]): string[] => [...extra, '--datadir', dir, '--network', 'regtest'];

/** Runs a command; with `killAfterMs`, SIGKILLs it then (if it still runs). Returns how it ended and how long it ran. */
function run(cliArgs: string[], killAfterMs?: number): Promise<{ exit: string; ms: number; stdout: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [PUBCHAIN_BIN, ...cliArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.resume();
  const timers = [setTimeout(() => child.kill('SIGKILL'), killAfterMs ?? 60_000)];
  return new Promise((resolve) => child.on('close', (code, signal) => {
    timers.forEach(clearTimeout);
    resolve({ exit: signal ?? `exit ${code}`, ms: Date.now() - started, stdout });
  }));
}

/** What the wallet in `dir` must still be: readable, every known address, the same words under one candidate passphrase. */
async function check(dir: string, known: string[], words: string, candidates: Array<string | null>): Promise<{ problems: string[]; addresses: string[]; pass: string | null | undefined }> {
  let w: Wallet;
  try { w = await Wallet.open(dir); } catch (e) { return { problems: [`the wallet does not open: ${(e as Error).message}`], addresses: [], pass: undefined }; }
  const problems: string[] = [];
  const addresses = w.addresses();
  const lost = known.filter((a) => !addresses.includes(a));
  if (lost.length) problems.push(`lost ${lost.length} address(es): ${lost.join(', ')}`);
  for (const p of candidates) {
    if ((p === null) !== !w.encrypted) continue;
    try {
      if (p !== null) await w.unlock(p);
      if (w.mnemonic() !== words) problems.push('the seed changed');
      return { problems, addresses, pass: p };
    } catch { /* the other candidate */ }
  }
  problems.push(`the seed opens with none of the expected passphrases (encrypted: ${w.encrypted})`);
  return { problems, addresses, pass: undefined };
}

async function freshWallet(root: string, n: number): Promise<State> {
  const dir = join(root, `w${n}`);
  const r = await runCli(args(dir, ['createwallet', '--json']));
  if (r.code !== 0) throw new Error(`createwallet failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { address: string; mnemonic: string };
  return { dir, words: j.mnemonic, known: [j.address], candidates: [null], generation: 0 };
}

export async function runWalletCrashLoop(o: { kills: number; seed: number; progress?: (l: string) => void }): Promise<WalletCrashResult> {
  const started = Date.now();
  const rng = new Rng(o.seed);
  const root = await tempDir('wallet-crash');
  const kills: WalletKill[] = [];
  const problems: string[] = [];
  const uncut = new Map<Op, number>();
  try {
    let episodes = 0;
    const file = async (name: string, text: string): Promise<string> => { const f = join(root.dir, name); await writeFile(f, `${text}\n`); return f; };
    // How long each command takes uncut here, on a wallet of its own: kills land anywhere in that span.
    const cal = await freshWallet(root.dir, episodes++);
    uncut.set('createwallet', (await run(args(cal.dir, ['createwallet']))).ms);
    uncut.set('encryptwallet', (await run(args(cal.dir, ['encryptwallet', '--passphrase-file', await file('c1', 'c1')]))).ms);
    uncut.set('walletpassphrasechange', (await run(args(cal.dir, ['walletpassphrasechange', '--passphrase-file', await file('c1', 'c1'), '--new-passphrase-file', await file('c2', 'c2')]))).ms);
    uncut.set('restorewallet', (await run(args(join(root.dir, 'calibrate'), ['restorewallet', '--mnemonic-file', await file('cw', cal.words)]))).ms);
    o.progress?.(`uncut: ${JSON.stringify(Object.fromEntries(uncut))} ms`);
    let s = await freshWallet(root.dir, episodes++);
    for (let k = 0; k < o.kills; k++) {
      // The first round takes every command once; after it, a third of the picks are random.
      let op = OPS[k % OPS.length]!;
      if (k >= OPS.length && rng.chance(0.3)) op = rng.pick(OPS);
      const pass = s.candidates.find((c) => c !== null) ?? null;
      if (op === 'encryptwallet' && pass !== null) s = await freshWallet(root.dir, episodes++);
      if (op === 'walletpassphrasechange' && pass === null) {
        await run(args(s.dir, ['encryptwallet', '--passphrase-file', await file('p0', 'pass-0')]));
        s.candidates = ['pass-0'];
      }
      const current = s.candidates.find((c) => c !== null) ?? null;
      const next = `pass-${++s.generation}`;
      let target = s.dir;
      let cmd: string[];
      if (op === 'createwallet') cmd = ['createwallet'];
      else if (op === 'encryptwallet') cmd = ['encryptwallet', '--passphrase-file', await file('enc', 'pass-enc')];
      else if (op === 'walletpassphrasechange') cmd = ['walletpassphrasechange', '--passphrase-file', await file('old', current!), '--new-passphrase-file', await file('new', next)];
      else {
        target = join(root.dir, `restore${k}`);
        await rm(target, { recursive: true, force: true });
        cmd = ['restorewallet', '--mnemonic-file', await file('words', s.words)];
      }
      const bound = uncut.get(op)!;
      const delayMs = rng.int(20, Math.max(40, Math.floor(bound * 1.1)));
      const r = await run(args(target, cmd), delayMs);
      const expected = op === 'encryptwallet' ? [null, 'pass-enc'] : op === 'walletpassphrasechange' ? [current, next] : s.candidates;
      let found: Awaited<ReturnType<typeof check>>;
      if (op === 'restorewallet') {
        const w = await Wallet.open(target).catch((e: Error) => e);
        found = w instanceof Error
          ? { problems: [`the restored wallet does not open: ${w.message}`], addresses: [], pass: null }
          : w.hasSeed ? await check(target, [], s.words, [null]) : { problems: w.addresses().length ? ['a restore left keys but no seed'] : [], addresses: [], pass: null };
      } else {
        found = await check(s.dir, s.known, s.words, expected);
        if (found.pass !== undefined) s.candidates = [found.pass];
        s.known = found.addresses;
      }
      kills.push({ op, delayMs, exit: r.exit, problems: found.problems });
      for (const p of found.problems) problems.push(`kill ${k + 1} (${op} at +${delayMs} ms, ${r.exit}): ${p}`);
      o.progress?.(`kill ${k + 1}: ${op} at +${delayMs} ms (${r.exit}): ${found.problems.length ? found.problems.join('; ') : 'ok'}`);
      if (found.problems.length) s = await freshWallet(root.dir, episodes++);
    }
  } finally {
    await root.cleanup();
  }
  return { seed: o.seed, kills, problems, durationMs: Date.now() - started };
}

async function main(argv: string[]): Promise<void> {
  const seed = seedFromArgs(argv);
  const killsN = argv.includes('--long') ? LONG_KILLS : SHORT_KILLS;
  process.stdout.write(`wallet crash loop: ${killsN} kills, seed ${seed}\n`);
  const r = await runWalletCrashLoop({ kills: killsN, seed, progress: (l) => process.stdout.write(`  ${l}\n`) });
  const killed = r.kills.filter((k) => k.exit === 'SIGKILL').length;
  process.stdout.write(`${killed} of ${r.kills.length} commands died by SIGKILL, the rest finished first; ${r.durationMs} ms\n`);
  for (const p of r.problems) process.stdout.write(`PROBLEM: ${p}\n`);
  process.stdout.write(r.problems.length === 0 ? 'wallet crash loop passed\n' : 'wallet crash loop FAILED\n');
  process.exitCode = r.problems.length === 0 ? 0 : 1;
}

// `node --test dist/test/` also loads every file under a test/ directory: as a test it must do nothing.
const runByTestRunner = process.env.NODE_TEST_CONTEXT !== undefined;
if (!runByTestRunner && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
