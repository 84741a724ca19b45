// One timed sync between node processes over loopback, for bench/sync.ts:
// source nodes serving copies of one data directory, and a fresh node that
// connects to all of them, adopts their genesis and downloads the rest.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, NodeProcess } from '../test/helpers/cliProcess.js';
import { EV, eventPattern } from '../src/node/logEvents.js';

function now(): number { return Number(process.hrtime.bigint()) / 1e9; }

/**
 * Syncs a fresh node from `sources` copies of `srcDir` (the first is used in
 * place) and returns the seconds from its first tip (the adopted genesis) to
 * `height`. Every process is stopped before it returns.
 */
export async function timedSync(root: string, srcDir: string, sources: number, height: number, tag: string): Promise<number> {
  const nodes: NodeProcess[] = [];
  try {
    const ports: number[] = [];
    // Copied before any source starts: a running node writes into its directory.
    const dirs = [srcDir];
    for (let i = 1; i < sources; i++) {
      dirs.push(join(root, `${tag}-copy${i}`));
      await cp(srcDir, dirs[i]!, { recursive: true });
    }
    for (let i = 0; i < sources; i++) {
      const dir = dirs[i]!;
      const port = await freePort();
      ports.push(port);
      const p = NodeProcess.start({ role: `source${i}`, id: String(port), port, datadir: dir, network: 'regtest' }, ['--listen-only']);
      nodes.push(p);
      await p.waitForLog(eventPattern(EV.listening), 30_000);
    }
    const port = await freePort();
    const fresh = NodeProcess.start({ role: 'fresh', id: String(port), port, datadir: join(root, `${tag}-fresh`), network: 'regtest' },
      ports.flatMap((p) => ['--connect', `127.0.0.1:${p}`]));
    nodes.push(fresh);
    await fresh.waitForHeight(1, 30_000);
    const t0 = now();
    await fresh.waitForHeight(height, 600_000);
    return now() - t0;
  } finally {
    for (const p of nodes) await p.stop().catch(() => undefined);
  }
}
