// How quick the CLI is when a node runs: `pubchain getbalance` goes through the
// node's RPC, so its time is Node's own start-up plus loading the command. Both
// are timed in the same run, alternately (median of N each), and the ratio
// node-start / command is what the gate holds: 1 would be free, the target is
// at least 1/1.5 (the command within 1.5x `node -e 0`), held as a bound in
// bench/baseline.json (docs/cli.md: the routed fast path).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliJson, freePort, NodeProcess, PUBCHAIN_BIN, type NodeDef } from '../test/helpers/cliProcess.js';
import type { BenchModuleOutput, BenchOptions } from './types.js';

/** Wall time of one process from spawn to exit, in ms; a non-zero exit is an error. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms); else reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').pop()}`));
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function benchCli(o: BenchOptions): Promise<BenchModuleOutput> {
  const runs = o.quick ? 11 : 25;
  const dir = await mkdtemp(join(tmpdir(), 'pubchain-bench-cli-'));
  const port = await freePort();
  const def: NodeDef = { role: 'bench', id: String(port), port, datadir: join(dir, 'node'), network: 'regtest' };
  let node: NodeProcess | null = null;
  try {
    const address = (await cliJson(def, ['createwallet'])).address as string;
    await cliJson(def, ['createblockchain', '--address', address, '--threads', '1']);
    node = NodeProcess.start(def, ['--listen-only', '--threads', '1']);
    await node.waitForLog(/"msg":"node ready"/, 30_000);
    const cliArgs = [PUBCHAIN_BIN, 'getbalance', '--address', address, '--datadir', def.datadir, '--network', 'regtest', '--json'];
    // One of each first, unmeasured: the file cache warms up for both alike.
    await timeProcess(['-e', '0']);
    await timeProcess(cliArgs);
    const bare: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await timeProcess(['-e', '0']));
      cli.push(await timeProcess(cliArgs));
    }
    const nodeMs = median(bare);
    const cliMs = median(cli);
    return {
      results: [
        { name: 'cli.nodeStartupMs', value: nodeMs, unit: 'ms (node -e 0, median)' },
        { name: 'cli.getbalanceMs', value: cliMs, unit: 'ms (through the RPC, median)', reference: 'cli.nodeStartupMs' },
        { name: 'cli.routedSpeed', value: cliMs / nodeMs, unit: 'x node start-up (lower is quicker)', reference: 'cli.nodeStartupMs', ratio: nodeMs / cliMs },
      ],
    };
  } finally {
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
