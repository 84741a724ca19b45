// The simulated network: N real `pubchain startnode` processes (regtest), each
// on a copy of one pre-built chain, each in its own namespace (or on its own
// loopback address), each edge of the topology a shaped link. Node logs are
// read for timing: pino's `time` is the wall clock of one machine, so the time
// a block reached each node is comparable across processes.
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeDef, NodeProcess } from '../../test/helpers/cliProcess.js';
import { rpcCall } from '../../src/rpc/client.js';
import { readCookie } from '../../src/rpc/cookie.js';
import { EV } from '../../src/node/logEvents.js';
import { encodeAddress } from '../../src/crypto/address.js';
import { buildChain, testKey, type Built, type Spendable } from '../../test/helpers/chainFixtures.js';
import { writeChain } from '../../test/helpers/nodeHarness.js';
import { NodeLog } from '../../test/reliability/nodeLog.js';
import { isReady } from '../../test/reliability/liveNode.js';
import { ctlHost, IsolationInfo, nodeHost, wrapFor } from './isolation.js';
import { ShapedLink } from './shaper.js';
import { seededRandom, type LinkShape, type Topology } from './topology.js';

export const CHAIN_LENGTH = 60;
export const COIN_KEY = testKey(18);
const NETNS_PORT = 18444;

export class SimNode {
  proc!: NodeProcess;
  log!: NodeLog;
  /** First time (ms) each block hash became this node's tip, and each txid entered its mempool. */
  readonly tipAt = new Map<string, number>();
  readonly txAt = new Map<string, number>();
  readonly timeline: Array<{ t: number; h: number }> = [];
  height = 0;
  tip = '';
  starts = 0;
  private rpcTarget: { host: string; port: number; auth: { user: string; password: string } } | null = null;

  constructor(readonly i: number, readonly def: NodeDef, readonly host: string, private readonly args: string[], private readonly wrap: string[]) {}

  get running(): boolean { return !!this.proc && !this.proc.exited; }

  async start(): Promise<void> {
    this.rpcTarget = null;
    this.proc = NodeProcess.start(this.def, this.args, this.wrap);
    this.log = new NodeLog(this.proc.child, 2000);
    this.starts++;
    let buf = '';
    this.proc.child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.includes('new-tip') && !line.includes('accepted transaction')) continue;
        try { this.onRecord(JSON.parse(line)); } catch { /* not JSON */ }
      }
    });
    await this.log.waitFor('node ready', isReady, 0, 60_000);
  }

  private onRecord(r: { event?: string; msg?: string; time?: number; height?: number; hash?: string; txid?: string }): void {
    const t = r.time ?? Date.now();
    if (r.event === EV.newTip && typeof r.hash === 'string' && typeof r.height === 'number') {
      if (!this.tipAt.has(r.hash)) this.tipAt.set(r.hash, t);
      this.height = r.height;
      this.tip = r.hash;
      this.timeline.push({ t, h: r.height });
    } else if (r.msg === 'accepted transaction' && typeof r.txid === 'string' && !this.txAt.has(r.txid)) {
      this.txAt.set(r.txid, t);
    }
  }

  async rpc<T = any>(method: string, params: unknown[] = [], timeoutMs = 30_000): Promise<T> {
    if (!this.rpcTarget) {
      const info = JSON.parse(await readFile(join(this.def.datadir, 'node.json'), 'utf8')) as { rpcHost: string; rpcPort: number };
      this.rpcTarget = { host: info.rpcHost, port: info.rpcPort, auth: await readCookie(this.def.datadir) };
    }
    return rpcCall<T>({ host: this.rpcTarget.host, port: this.rpcTarget.port }, this.rpcTarget.auth, method, params, { timeoutMs });
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    const gone = new Promise((resolve) => this.proc.child.once('exit', resolve));
    this.proc.child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    if (this.running) await this.proc.stop(15_000);
  }
}

export interface Fleet {
  nodes: SimNode[];
  links: ShapedLink[];
  chain: Built[];
  /** Coinbase outputs of the pre-built chain, for transactions; each used once. */
  coins: Spendable[];
  minerAddress(i: number): string;
  close(): Promise<void>;
}

async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export async function startFleet(root: string, iso: IsolationInfo, topo: Topology, shape: LinkShape, seed: number, freePort: () => Promise<number>): Promise<Fleet> {
  const chain = buildChain(null, CHAIN_LENGTH, COIN_KEY);
  const template = join(root, 'template');
  await writeChain(template, chain);
  const rnd = seededRandom(seed + 7);
  const ports: number[] = [];
  for (let i = 0; i < topo.nodes; i++) ports.push(iso.mode === 'netns' ? NETNS_PORT : await freePort());
  const links: ShapedLink[] = [];
  const hosts = new Map(Array.from({ length: topo.nodes }, (_, i) => [nodeHost(iso, i), i] as const));
  const diallerOf = (h: string): number | null => hosts.get(h.replace(/^::ffff:/, '')) ?? null;
  for (const e of topo.edges) {
    const link = new ShapedLink(e.a, e.b, { ...shape, ...(iso.shaping === 'netem' ? { latencyMs: 0, jitterMs: 0, lossPct: 0 } : e.shape) }, { host: nodeHost(iso, e.b), port: ports[e.b]! }, rnd, diallerOf);
    await link.listen(ctlHost(iso));
    links.push(link);
  }
  const nodes: SimNode[] = [];
  for (let i = 0; i < topo.nodes; i++) {
    const host = nodeHost(iso, i);
    const datadir = join(root, `n${i}`);
    await cp(template, datadir, { recursive: true });
    const connects = links.filter((l) => l.a === i).flatMap((l) => ['--connect', `${ctlHost(iso)}:${l.port}`]);
    const args = ['--bind', host, '--rpc-bind', host, '--listen-only', '--log-level', 'debug', '--threads', '1', ...connects];
    nodes.push(new SimNode(i, { role: `n${i}`, id: String(ports[i]), port: ports[i]!, datadir, network: 'regtest' }, host, args, wrapFor(iso, i)));
  }
  const close = async (): Promise<void> => {
    await pool(nodes, 8, (n) => n.stop().catch(() => n.kill9()));
    for (const l of links) await l.close();
  };
  try {
    await pool(nodes, 4, (n) => n.start());
  } catch (e) {
    await close();
    throw e;
  }
  return {
    nodes, links, chain,
    coins: chain.slice(1).map((b) => b.reward),
    minerAddress: (i) => encodeAddress(testKey(100 + i).pkh),
    close,
  };
}

/** Waits until every running node has tip `hash` (or all share one tip when hash is null); ms taken, or null on timeout. */
export async function waitConverged(nodes: SimNode[], hash: string | null, timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const live = nodes.filter((n) => n.running);
    const want = hash ?? live[0]?.tip;
    if (want && live.every((n) => n.tip === want)) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  dump(nodes);
  return null;
}

/** With SIMNET_DEBUG set: each node's tip and its last connection events, on stderr. */
export function dump(nodes: SimNode[]): void {
  if (process.env.SIMNET_DEBUG) for (const n of nodes) console.error(`simnet: ${n.def.role} height ${n.height} tip ${n.tip.slice(0, 12)} running ${n.running}`, n.log.since(Math.max(0, n.log.mark() - 400)).filter((r) => /disconnect|stall|left|ban/.test(r.msg)).slice(-4).map((r) => JSON.stringify(r)).join(' | '));
}
