// Command-line options of `npm run simnet`.
import type { LinkShape } from './topology.js';

export const SCENARIOS = ['propagation', 'partition', 'churn', 'surrounded', 'short', 'all'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface SimArgs {
  nodes: number;
  topology: string;
  shape: LinkShape;
  scenario: ScenarioName;
  json: boolean;
  report: string | null;
  seed: number;
  /** Force 127.0.0.x addresses even where namespaces work. */
  loopback: boolean;
  blocks: number;
  kills: number;
  /** Junk peers around node 0 in the surrounded scenario. */
  junk: number;
}

export const USAGE = 'usage: npm run simnet -- [--nodes N] [--topology ring|random:K|FILE] [--latency MS --jitter MS --loss PCT] [--scenario propagation|partition|churn|surrounded|short|all] [--blocks N] [--kills N] [--junk N] [--seed N] [--loopback] [--json] [--report FILE]';

export function parseArgs(argv: string[]): SimArgs {
  const a: SimArgs = { nodes: 8, topology: 'random:4', shape: { latencyMs: 50, jitterMs: 10, lossPct: 1 }, scenario: 'short', json: false, report: null, seed: 1, loopback: false, blocks: 3, kills: 1, junk: 4 };
  const numArg = (v: string | undefined, name: string, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const v = argv[i + 1];
    switch (f) {
      case '--nodes': a.nodes = Math.floor(numArg(v, 'nodes', 2, 200)); i++; break;
      case '--topology': if (!v) throw new Error(USAGE); a.topology = v; i++; break;
      case '--latency': a.shape.latencyMs = numArg(v, 'latency', 0, 10_000); i++; break;
      case '--jitter': a.shape.jitterMs = numArg(v, 'jitter', 0, 10_000); i++; break;
      case '--loss': a.shape.lossPct = numArg(v, 'loss', 0, 50); i++; break;
      case '--seed': a.seed = Math.floor(numArg(v, 'seed', 0, 2 ** 31)); i++; break;
      case '--blocks': a.blocks = Math.floor(numArg(v, 'blocks', 1, 100)); i++; break;
      case '--kills': a.kills = Math.floor(numArg(v, 'kills', 0, 100)); i++; break;
      case '--junk': a.junk = Math.floor(numArg(v, 'junk', 1, 50)); i++; break;
      case '--scenario':
        if (!SCENARIOS.includes(v as ScenarioName)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}\n${USAGE}`);
        a.scenario = v as ScenarioName; i++; break;
      case '--report': if (!v) throw new Error(USAGE); a.report = v; i++; break;
      case '--json': a.json = true; break;
      case '--loopback': a.loopback = true; break;
      case '--help': case '-h': throw new Error(USAGE);
      default: throw new Error(`unknown option ${f}\n${USAGE}`);
    }
  }
  return a;
}
