// Reproduces a memory exhaustion (see docs/reliability.md, "Bugs found"):
// several connections each send `getdata` messages of 50,000 unknown block
// hashes, every one within the protocol's limits and free of ban score. The
// node decodes and queues them all, serves them one after another (a database
// lookup per hash, a 50,000-item `notfound` back) and keeps serving after the
// senders have gone. Not part of `npm test`: until the node bounds that work,
// the default run ends with the node out of memory.
//
//   node dist/test/reliability/getdataFlood.js [--long] [--connections N] [--frames K]
//
// Default: 20 connections x 40 frames (1.45 GB); --long: 40 x 40.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { buildChain, testKey } from '../helpers/chainFixtures.js';
import { tempDir } from '../helpers/tempDir.js';
import { startChainNode } from './liveNode.js';
import { memStats } from './procStats.js';
import { frameOf, loopbackAddress, versionMessage, WirePeer } from './wirePeer.js';

export interface FloodReport {
  connections: number;
  framesEach: number;
  megabytesSent: number;
  /** How the node process ended, or null if it was still up at the end. */
  nodeDied: string | null;
  /** The V8 line saying why, when it died of it. */
  fatal: string | null;
  maxSampledRssMb: number;
  durationMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runGetdataFlood(connections: number, framesEach: number, settleMs = 60_000): Promise<FloodReport> {
  const started = Date.now();
  const chain = buildChain(null, 20, testKey(1));
  const tmp = await tempDir('getdataflood');
  const node = await startChainNode(tmp.dir, 'flooded', chain);
  const frame = frameOf({ command: 'getdata', items: Array.from({ length: 50_000 }, () => ({ kind: 'block' as const, hash: randomBytes(32) })) });
  let maxRss = 0;
  const sampler = setInterval(() => { const m = memStats(node.pid); if (m) maxRss = Math.max(maxRss, m.rssKb); }, 200);
  const dead = (): boolean => node.proc.child.exitCode !== null || node.proc.child.signalCode !== null;
  const peers: WirePeer[] = [];
  try {
    for (let i = 0; i < connections; i++) {
      const p = await WirePeer.connect(node.def.port, loopbackAddress(1000 + i));
      p.send(versionMessage(chain[0]!.hash));
      p.send({ command: 'verack' });
      for (let k = 0; k < framesEach; k++) p.write(frame);
      peers.push(p);
    }
    // Until every byte reached the node (or it died), then the senders leave.
    while (!dead() && peers.some((p) => !p.closed && p.socket.writableLength > 0)) await sleep(250);
    for (const p of peers) p.close();
    for (const end = Date.now() + settleMs; !dead() && Date.now() < end;) await sleep(250);
  } finally {
    clearInterval(sampler);
    for (const p of peers) p.close();
  }
  const c = node.proc.child;
  const nodeDied = dead() ? `exit code ${c.exitCode}, signal ${c.signalCode}` : null;
  await node.proc.stop().catch(() => undefined);
  await tmp.cleanup();
  return {
    connections, framesEach, megabytesSent: Math.round((connections * framesEach * frame.length) / 1048576), nodeDied,
    fatal: node.log.errors.map((e) => e.msg).find((m) => /FATAL ERROR/.test(m))?.replace(/^unparsed stderr: /, '') ?? null,
    maxSampledRssMb: Math.round(maxRss / 1024), durationMs: Date.now() - started,
  };
}

async function main(argv: string[]): Promise<void> {
  const num = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 && /^\d+$/.test(argv[i + 1] ?? '') ? Number(argv[i + 1]) : dflt;
  };
  const r = await runGetdataFlood(num('--connections', argv.includes('--long') ? 40 : 20), num('--frames', 40));
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n${r.nodeDied ? 'the node DIED under the flood' : 'the node survived the flood'}\n`);
  process.exitCode = r.nodeDied ? 1 : 0;
}

// `node --test dist/test/` also loads every file under a test/ directory: as a test it must do nothing.
const runByTestRunner = process.env.NODE_TEST_CONTEXT !== undefined;
if (!runByTestRunner && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
