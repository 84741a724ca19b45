// The routed fast path: a command a running node answers, parsed without
// commander and bundled with everything it needs into one CommonJS file
// (dist/cli-routed.cjs, built by scripts/build-cli.mjs), which the launcher
// (bin/pubchain.js) tries first. Loading commander, the command table and some
// twenty ES modules took longer than the RPC call itself. The fast path runs
// only when the arguments are exactly one of these commands with flags that
// parse cleanly, no config file or PUBCHAIN_* setting applies, and the node is
// running; anything else is answered null before any work is done, and the
// full CLI (main.ts) takes over and gives every error its usual wording.
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { normalizeArgv } from './argv.js';
import { describeError } from './cliErrors.js';
import { configPath } from './config.js';
import { balanceLive, proofLive, stopLive } from './liveCommands.js';
import { resolveNode, type GlobalOptions, type NodeContext } from './nodeResolve.js';
import { findRunningNode, type LiveNode } from './runningNode.js';

type Values = Record<string, string | boolean | undefined>;

export interface RoutedCommand {
  /** The command's own string flags (the global ones are added below). */
  strings: string[];
  /** Flags that must be given (commander's requiredOption). */
  required: string[];
  /** How many positional arguments it takes, after the command name. */
  positionals: number;
  /** The command's work through the running node (the command module runs the same function). */
  live(ctx: NodeContext, node: LiveNode, values: Values, positionals: string[]): Promise<void>;
}

export const ROUTED: Record<string, RoutedCommand> = {
  getbalance: { strings: ['address'], required: ['address'], positionals: 0, live: (ctx, node, v) => balanceLive(ctx, node, v.address as string) },
  stop: { strings: [], required: [], positionals: 0, live: (ctx, node) => stopLive(ctx, node) },
  verifytxoutproof: { strings: [], required: [], positionals: 1, live: (ctx, node, _v, [proof]) => proofLive(ctx, node, proof!) },
};

const GLOBAL_STRINGS = ['node-id', 'datadir', 'network'];

/** The command and its parsed flags, or null when the full parser must see these arguments. */
export function parseRouted(args: string[], env: NodeJS.ProcessEnv): { command: RoutedCommand; globals: GlobalOptions; values: Values; positionals: string[] } | null {
  // Settings from the environment are applied by the full parser (config.ts); so is `--`.
  // (PUBCHAIN_NO_ROUTED=1, which no option reads, is the documented way to skip this path.)
  if (Object.keys(env).some((k) => k.startsWith('PUBCHAIN_')) || args.includes('--')) return null;
  const options: NonNullable<ParseArgsConfig['options']> = { json: { type: 'boolean' } };
  for (const c of Object.values(ROUTED)) for (const s of c.strings) options[s] = { type: 'string' };
  for (const s of GLOBAL_STRINGS) options[s] = { type: 'string' };
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch {
    return null;
  }
  const [name, ...rest] = parsed.positionals;
  const command = name !== undefined && Object.hasOwn(ROUTED, name) ? ROUTED[name] : undefined;
  if (!command || rest.length !== command.positionals) return null;
  const own = new Set(['json', ...GLOBAL_STRINGS, ...command.strings]);
  if (Object.keys(parsed.values).some((k) => !own.has(k))) return null;
  if (command.required.some((r) => parsed.values[r] === undefined)) return null;
  const v = parsed.values;
  if (v.network !== undefined && v.network !== 'main' && v.network !== 'regtest') return null;
  const globals: GlobalOptions = { nodeId: v['node-id'] as string | undefined, datadir: v.datadir as string | undefined, network: (v.network as string | undefined) ?? 'main', json: v.json === true };
  return { command, globals, values: v, positionals: rest };
}

/**
 * Runs a routed command through its running node: the exit code, or null
 * (nothing done) when the full CLI must handle these arguments.
 */
export async function runRouted(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  try {
    const args = normalizeArgv(argv);
    const where = configPath(args, env);
    if (where && (where.explicit || existsSync(where.path))) return null;
    const r = parseRouted(args, env);
    if (!r) return null;
    const ctx = resolveNode(r.globals, env);
    const live = await findRunningNode(ctx.datadir);
    if (!live) return null;
    await r.command.live(ctx, live, r.values, r.positionals);
    return 0;
  } catch (err) {
    const { line, code } = describeError(err);
    process.stderr.write(`pubchain: ${line}\n`);
    return code;
  }
}
