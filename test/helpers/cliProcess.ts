// Drives `pubchain` as real OS processes: one-shot commands and long-running
// nodes whose JSON log lines (stderr) report their tip. Shared by the demo, the
// benchmarks and the multi-node tests; every wait is bounded.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EV } from '../../src/node/logEvents.js';

export const PUBCHAIN_BIN = fileURLToPath(new URL('../../../bin/pubchain.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface NodeDef {
  role: string;
  id: string;
  port: number;
  datadir: string;
  network: string;
}

/** A regtest node named `role`, on a free port, with a data directory of its own under `root`. */
export async function nodeDef(root: string, role: string): Promise<NodeDef> {
  const port = await freePort();
  return { role, id: String(port), port, datadir: join(root, `${role}-${port}`), network: 'regtest' };
}

export function nodeArgs(node: NodeDef): string[] {
  return ['--datadir', node.datadir, '--network', node.network];
}

/** Runs a command to completion; a command still running after `timeoutMs` is killed. */
export async function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [PUBCHAIN_BIN, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('close', (c) => { clearTimeout(timer); resolve(c); });
  });
  return { code, stdout, stderr };
}

/** Runs `args --json` on a node and parses stdout; throws with the CLI's own one-line error. */
export async function cliJson(node: NodeDef, args: string[], timeoutMs = 30_000): Promise<any> {
  const r = await runCli([...args, ...nodeArgs(node), '--json'], { env: { NODE_ID: node.id }, timeoutMs });
  if (r.code !== 0) throw new Error(`${node.role}: pubchain ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout);
}

export class NodeProcess {
  height = 0;
  readonly log: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(readonly node: NodeDef, readonly child: ChildProcess) {
    createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
  }

  /** `wrap` runs the node through a launcher (e.g. `ip netns exec NS`), which must exec it in place. */
  static start(node: NodeDef, extra: string[] = [], wrap: string[] = []): NodeProcess {
    // RPC on any free port: node.json in the data directory tells the CLI which one.
    const [cmd, ...pre] = [...wrap, process.execPath];
    const child = spawn(cmd!, [...pre, PUBCHAIN_BIN, 'startnode', ...nodeArgs(node), '--port', String(node.port), '--rpc-port', '0', '--log-format', 'json', ...extra], {
      env: { ...process.env, NODE_ID: node.id }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    return new NodeProcess(node, child);
  }

  private onLine(line: string): void {
    this.log.push(line);
    if (this.log.length > 200) this.log.shift();
    try {
      const rec = JSON.parse(line) as { height?: number; event?: string };
      if (rec.event === EV.newTip && typeof rec.height === 'number') this.height = rec.height;
    } catch { /* not a log record */ }
    for (const w of this.waiters.splice(0)) w();
  }

  get exited(): boolean { return this.child.exitCode !== null || this.child.signalCode !== null; }

  /** Resolves when `pred` holds over the log; throws on timeout or if the node exits. */
  async waitFor(what: string, pred: () => boolean, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (this.exited) throw new Error(`${this.node.role} node exited while waiting for ${what}: ${this.log.slice(-3).join(' | ')}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`${this.node.role} node: timed out waiting for ${what} (height ${this.height}): ${this.log.slice(-3).join(' | ')}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, Math.min(left, 250)); });
    }
  }

  waitForHeight(height: number, timeoutMs: number): Promise<void> {
    return this.waitFor(`height ${height}`, () => this.height >= height, timeoutMs);
  }

  waitForLog(pattern: RegExp, timeoutMs: number): Promise<void> {
    return this.waitFor(`a log line matching ${pattern}`, () => this.log.some((l) => pattern.test(l)), timeoutMs);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how the process ended. */
  async stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exited) {
      const done = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill(signal);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await done;
      clearTimeout(timer);
    }
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Ports handed out by this process: never handed out twice. */
const handedOut = new Set<number>();

/** The lowest port of the kernel's range for outgoing connections (32768 by default on Linux). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

/**
 * A port free on 127.0.0.1 for a node that binds it later. It is drawn from below the kernel's
 * range for outgoing connections, so no socket's outgoing connection can take it between this
 * check and the node's bind (a port the kernel picks for listen(0) lies in that range, and was
 * the rare collision under load). At most 64 draws, then the kernel's own pick.
 */
export async function freePort(): Promise<number> {
  const low = Math.max(1024, ephemeralLow() - 12_000);
  const span = ephemeralLow() - low;
  for (let i = 0; i < 64; i++) {
    const port = low + Math.floor(Math.random() * span);
    if (handedOut.has(port) || !(await portIsFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
