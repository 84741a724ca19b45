// The graph a simnet runs on: a ring, a random graph of degree K (seeded, always
// connected), or a file: a Warnet-style GraphML (<node id>, <edge source target>
// with optional <data key="latency|jitter|loss">) or a JSON edge list
// {"nodes": N, "edges": [{"a": 0, "b": 1, "latencyMs": 50, "jitterMs": 10, "lossPct": 1}]}.
import { readFileSync } from 'node:fs';

export interface LinkShape {
  latencyMs: number;
  jitterMs: number;
  lossPct: number;
}

export interface Edge {
  a: number;
  b: number;
  /** Per-link shaping from the file; the command-line defaults otherwise. */
  shape?: Partial<LinkShape>;
}

export interface Topology {
  nodes: number;
  edges: Edge[];
  name: string;
}

/** A small deterministic generator (mulberry32), so a seed repeats a run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const key = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);

export function ring(n: number): Topology {
  const edges: Edge[] = [];
  for (let i = 0; i < n && n > 1; i++) if (n > 2 || i === 0) edges.push({ a: i, b: (i + 1) % n });
  return { nodes: n, edges, name: 'ring' };
}

/** A ring (so the graph is connected) plus random chords until the mean degree reaches k. */
export function randomGraph(n: number, k: number, seed: number): Topology {
  const rnd = seededRandom(seed);
  const t = ring(n);
  const have = new Set(t.edges.map((e) => key(e.a, e.b)));
  const want = Math.min(Math.floor((n * k) / 2), (n * (n - 1)) / 2);
  for (let tries = 0; have.size < want && tries < want * 50; tries++) {
    const a = Math.floor(rnd() * n);
    const b = Math.floor(rnd() * n);
    if (a === b || have.has(key(a, b))) continue;
    have.add(key(a, b));
    t.edges.push({ a, b });
  }
  return { ...t, name: `random:${k}` };
}

function num(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`topology: ${what} must be a non-negative number, not ${JSON.stringify(v)}`);
  return n;
}

function shapeOf(o: Record<string, unknown>): Partial<LinkShape> | undefined {
  const s = { latencyMs: num(o.latencyMs ?? o.latency, 'latency'), jitterMs: num(o.jitterMs ?? o.jitter, 'jitter'), lossPct: num(o.lossPct ?? o.loss, 'loss') };
  const defined = Object.entries(s).filter(([, v]) => v !== undefined);
  return defined.length ? Object.fromEntries(defined) as Partial<LinkShape> : undefined;
}

export function parseJsonTopology(text: string, name = 'json'): Topology {
  const j = JSON.parse(text) as { nodes?: number; edges?: Array<Record<string, unknown>> };
  if (!Array.isArray(j.edges)) throw new Error('topology: a JSON topology needs an "edges" array');
  const edges = j.edges.map((e, i) => {
    const a = num(e.a ?? e.source, `edge ${i} a`);
    const b = num(e.b ?? e.target, `edge ${i} b`);
    if (a === undefined || b === undefined || !Number.isInteger(a) || !Number.isInteger(b) || a === b) throw new Error(`topology: edge ${i} needs two different integer ends`);
    return { a, b, shape: shapeOf(e) };
  });
  const nodes = j.nodes ?? Math.max(0, ...edges.flatMap((e) => [e.a + 1, e.b + 1]));
  return { nodes, edges, name };
}

/** Warnet-style GraphML: nodes in document order get indices 0..N-1. */
export function parseGraphml(text: string, name = 'graphml'): Topology {
  const ids = [...text.matchAll(/<node\s[^>]*id="([^"]+)"/g)].map((m) => m[1]!);
  const index = new Map(ids.map((id, i) => [id, i]));
  const edges: Edge[] = [];
  for (const m of text.matchAll(/<edge\s([^>]*?)(\/>|>([\s\S]*?)<\/edge>)/g)) {
    const attr = (n: string): string | undefined => new RegExp(`${n}="([^"]+)"`).exec(m[1]!)?.[1];
    const a = index.get(attr('source') ?? '');
    const b = index.get(attr('target') ?? '');
    if (a === undefined || b === undefined) throw new Error(`topology: GraphML edge ${m[1]!.trim()} names an unknown node`);
    const data: Record<string, string> = {};
    for (const d of (m[3] ?? '').matchAll(/<data\s+key="([^"]+)"\s*>([^<]*)<\/data>/g)) data[d[1]!] = d[2]!.trim();
    edges.push({ a, b, shape: shapeOf(data) });
  }
  return { nodes: ids.length, edges, name };
}

/** ring | random:K | a .graphml/.xml or .json file. */
export function loadTopology(spec: string, nodes: number, seed: number): Topology {
  if (spec === 'ring') return ring(nodes);
  const r = /^random:(\d+)$/.exec(spec);
  if (r) return randomGraph(nodes, Number(r[1]), seed);
  const text = readFileSync(spec, 'utf8');
  const t = /\.json$/i.test(spec) ? parseJsonTopology(text, spec) : parseGraphml(text, spec);
  for (const e of t.edges) if (e.a >= t.nodes || e.b >= t.nodes) throw new Error(`topology: edge ${e.a}-${e.b} is outside ${t.nodes} nodes`);
  if (t.nodes < 2) throw new Error('topology: at least two nodes are needed');
  return t;
}
