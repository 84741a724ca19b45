// Settings from three places, in rising precedence: the config file
// (`<datadir>/pubchain.conf`, or --conf FILE), environment variables
// (PUBCHAIN_<OPTION>, e.g. PUBCHAIN_LOG_LEVEL), then flags. The file holds
// `option=value` lines named like the long flags (`port=8001`,
// `connect=host:8000`, repeatable for lists, `mine-always=1` for switches).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, Option } from './commander.js';
import { UsageError } from './cliErrors.js';

export const CONFIG_FILE = 'pubchain.conf';

export interface ConfigFile {
  path: string;
  /** Option name (the long flag without dashes) → values in file order, with their line numbers. */
  entries: Map<string, Array<{ value: string; line: number }>>;
}

/** The --conf, --datadir and --node-id given on the command line, before the full parse. */
export function preScan(args: string[]): { conf?: string; datadir?: string; nodeId?: string } {
  const out: { conf?: string; datadir?: string; nodeId?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? args[i + 1];
    if (flag === '--conf') out.conf = value;
    else if (flag === '--datadir') out.datadir = value;
    else if (flag === '--node-id') out.nodeId = value;
  }
  return out;
}

/** Where the config file is: --conf, else the node's data directory (when it can be known). */
export function configPath(args: string[], env: NodeJS.ProcessEnv): { path: string; explicit: boolean } | null {
  const s = preScan(args);
  if (s.conf) return { path: resolve(s.conf), explicit: true };
  const nodeId = s.nodeId ?? (env.NODE_ID?.trim() || undefined);
  const datadir = s.datadir ?? env.PUBCHAIN_DATADIR ?? (nodeId && /^[A-Za-z0-9_-]{1,64}$/.test(nodeId) ? join('data', nodeId) : undefined);
  return datadir ? { path: resolve(datadir, CONFIG_FILE), explicit: false } : null;
}

export function readConfigFile(path: string, explicit: boolean): ConfigFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return null;
    throw new UsageError(`cannot read the config file ${path}: ${(e as Error).message}`);
  }
  const entries = new Map<string, Array<{ value: string; line: number }>>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const m = /^([a-z][a-z0-9-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new UsageError(`${path} line ${i + 1}: expected option=value, got "${raw.trim()}"`);
    const list = entries.get(m[1]!) ?? [];
    list.push({ value: m[2]!, line: i + 1 });
    entries.set(m[1]!, list);
  });
  return { path, entries };
}

export const envNameOf = (option: Option): string => `PUBCHAIN_${option.attributeName().replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Settings no file or variable may give: which node and which file are chosen before the file is read. */
const NOT_CONFIGURABLE = new Set(['conf', 'node-id', 'datadir', 'help', 'json']);

function configurable(o: Option): boolean {
  return !!o.long && !NOT_CONFIGURABLE.has(o.long.slice(2));
}

/**
 * Gives every option of the program and its commands its value from the
 * config file, then from its environment variable, as sources below the
 * command line (commander lets a flag on the command line replace both).
 * A setting the file names but no command knows is an error.
 */
export function applySettings(program: Command, config: ConfigFile | null, env: NodeJS.ProcessEnv = process.env): void {
  const all = [program, ...program.commands];
  const known = new Set(all.flatMap((c) => c.options.filter(configurable).map((o) => o.long!.slice(2))));
  for (const [name, values] of config?.entries ?? []) {
    if (!known.has(name)) throw new UsageError(`${config!.path} line ${values[0]!.line}: unknown setting "${name}" (settings are the long flags, e.g. port=8001)`);
  }
  for (const cmd of all) {
    for (const o of cmd.options) {
      if (!configurable(o) && o.long !== '--datadir') continue;
      // Named here so that --help lists it; the value is applied below, not by commander.
      o.env(envNameOf(o));
      const fromFile = o.long === '--datadir' ? undefined : config?.entries.get(o.long!.slice(2));
      if (fromFile) cmd.setOptionValueWithSource(o.attributeName(), valueOf(o, fromFile.map((v) => v.value), `${config!.path} line ${fromFile[0]!.line}`), 'config');
      const fromEnv = env[envNameOf(o)];
      if (fromEnv !== undefined && fromEnv !== '') cmd.setOptionValueWithSource(o.attributeName(), valueOf(o, [fromEnv], envNameOf(o)), 'env');
    }
  }
}

function valueOf(o: Option, values: string[], where: string): unknown {
  if (!o.required && !o.optional) {
    const v = values[values.length - 1]!.toLowerCase();
    if (!['1', 'true', 'yes', '0', 'false', 'no'].includes(v)) throw new UsageError(`${where}: ${o.long!.slice(2)} is a switch: use 1 or 0`);
    return ['1', 'true', 'yes'].includes(v);
  }
  if (Array.isArray(o.defaultValue)) return values;
  const value = values[values.length - 1]!;
  if (o.argChoices && !o.argChoices.includes(value)) throw new UsageError(`${where}: ${o.long!.slice(2)}=${value} is not one of ${o.argChoices.join(', ')}`);
  return value;
}
