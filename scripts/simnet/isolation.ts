// Where the simulated nodes live. With root and iproute2, every node gets its
// own network namespace (pcsim-<tag>-n<i>, address 10.77.0.<i+1>) with a veth to
// a bridge in a namespace of its own, and the controller sits on that bridge in
// pcsim-<tag>-ctl; nothing is added to the host's own namespace, so no traffic
// can leave the machine. Without them every node gets its own 127.0.1.x address.
// Teardown kills whatever runs in our namespaces (only processes we started)
// and deletes them; a sweep at startup removes what a killed run left behind.
import { execFileSync } from 'node:child_process';

export type Mode = 'netns' | 'loopback';
export type Shaping = 'netem' | 'proxy';

export interface IsolationInfo {
  mode: Mode;
  /** Why loopback was chosen, or what netns lacks (netem); shown at the top of the output. */
  note: string;
  shaping: Shaping;
  tag: string;
  nodes: number;
}

const PREFIX = 'pcsim-';
export const MAX_NODES = 200;

function ip(args: string[], quiet = false): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (e) {
    if (quiet) return '';
    const err = (e as { stderr?: string }).stderr?.trim() ?? (e as Error).message;
    throw new Error(`ip ${args.join(' ')}: ${err}`);
  }
}

export const nsName = (tag: string, role: string): string => `${PREFIX}${tag}-${role}`;
export const nodeHost = (info: IsolationInfo, i: number): string => (info.mode === 'netns' ? `10.77.0.${i + 1}` : `127.0.1.${i + 1}`);
export const ctlHost = (info: IsolationInfo): string => (info.mode === 'netns' ? '10.77.255.254' : '127.0.0.1');
/** The launcher prefix for node i's process. */
export const wrapFor = (info: IsolationInfo, i: number): string[] => (info.mode === 'netns' ? ['ip', 'netns', 'exec', nsName(info.tag, `n${i}`)] : []);

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Kills every process in namespace `ns` (all started by a simnet) and deletes it. */
function removeNamespace(ns: string): void {
  for (const pid of ip(['netns', 'pids', ns], true).split(/\s+/).filter(Boolean).map(Number)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  ip(['netns', 'del', ns], true);
}

function ours(): string[] {
  return ip(['netns', 'list'], true).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(PREFIX));
}

/** Removes namespaces of runs whose controller (the pid in the tag) is gone. Returns how many. */
export function sweepStale(): number {
  let n = 0;
  for (const ns of ours()) {
    const pid = parseInt(ns.slice(PREFIX.length).split('-')[0]!, 36);
    if (Number.isFinite(pid) && alive(pid) && pid !== process.pid) continue;
    removeNamespace(ns);
    n++;
  }
  return n;
}

export function teardown(info: IsolationInfo): void {
  if (info.mode !== 'netns') return;
  for (const ns of ours().filter((n) => n.startsWith(`${PREFIX}${info.tag}-`))) removeNamespace(ns);
}

function probeNetem(ns: string): boolean {
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch { return false; }
}

/** Veth a/b for slot `i` ('c' is the controller); short enough for IFNAMSIZ. */
const veth = (tag: string, side: 'a' | 'b', i: number | 'c'): string => `ps${tag}${side}${i}`;

function attach(info: IsolationInfo, ns: string, slot: number | 'c', addr: string): void {
  const a = veth(info.tag, 'a', slot);
  const b = veth(info.tag, 'b', slot);
  const br = nsName(info.tag, 'br');
  ip(['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  ip(['link', 'set', a, 'netns', ns]);
  ip(['link', 'set', b, 'netns', br]);
  ip(['-n', br, 'link', 'set', b, 'master', 'br0', 'up']);
  ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  ip(['-n', ns, 'addr', 'add', `${addr}/16`, 'dev', a]);
  ip(['-n', ns, 'link', 'set', a, 'up']);
}

/**
 * Sets up `nodes` namespaces, or explains why not. `latency` etc. go to netem
 * when the kernel has it (one-way, on each node's egress); otherwise the
 * controller's proxies shape every link (shaper.ts).
 */
export function setUp(nodes: number, wantLoopback: boolean, uniform: { latencyMs: number; jitterMs: number; lossPct: number } | null): IsolationInfo {
  const tag = process.pid.toString(36);
  const loop = (note: string): IsolationInfo => ({ mode: 'loopback', note, shaping: 'proxy', tag, nodes });
  if (wantLoopback) return loop('loopback addresses (asked for with --loopback)');
  if (nodes > MAX_NODES) throw new Error(`at most ${MAX_NODES} nodes`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return loop('loopback addresses: network namespaces need root');
  const probe = nsName(tag, 'probe');
  try { ip(['netns', 'add', probe]); } catch (e) { return loop(`loopback addresses: network namespaces refused (${(e as Error).message.split('\n')[0]})`); }
  const netem = probeNetem(probe) && uniform !== null;
  removeNamespace(probe);
  const info: IsolationInfo = { mode: 'netns', note: '', shaping: netem ? 'netem' : 'proxy', tag, nodes };
  info.note = `network namespaces (one per node, 10.77.0.0/16 on a private bridge); links shaped by ${netem ? 'tc netem' : 'the controller\'s proxies (tc netem is not available in this kernel, or links differ)'}`;
  try {
    const br = nsName(tag, 'br');
    ip(['netns', 'add', br]);
    ip(['-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', br, 'link', 'set', 'br0', 'up']);
    ip(['netns', 'add', nsName(tag, 'ctl')]);
    attach(info, nsName(tag, 'ctl'), 'c', ctlHost(info));
    for (let i = 0; i < nodes; i++) {
      const ns = nsName(tag, `n${i}`);
      ip(['netns', 'add', ns]);
      attach(info, ns, i, nodeHost(info, i));
      if (netem && uniform) {
        const dev = veth(tag, 'a', i);
        execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'netem', 'delay', `${uniform.latencyMs}ms`, `${uniform.jitterMs}ms`, 'loss', `${uniform.lossPct}%`], { stdio: 'ignore', timeout: 10_000 });
      }
    }
  } catch (e) {
    teardown(info);
    for (const l of ip(['-o', 'link', 'show'], true).split('\n')) {
      const name = /^\d+:\s+(ps[0-9a-z]+[ab](?:\d+|c))[@:]/.exec(l)?.[1];
      if (name?.startsWith(`ps${tag}`)) ip(['link', 'del', name], true);
    }
    return loop(`loopback addresses: setting up namespaces failed (${(e as Error).message.split('\n')[0]})`);
  }
  return info;
}
