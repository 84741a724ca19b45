// The tutorial spells commands in camelCase (`createBlockchain`) and flags with
// one dash (`-address`). Both are rewritten here to the canonical lower-case
// command and `--flag` before the parser sees them, so every spelling works.

export const COMMAND_ALIASES: Record<string, string> = {
  createwallet: 'createwallet',
  restorewallet: 'restorewallet',
  encryptwallet: 'encryptwallet',
  walletpassphrase: 'walletpassphrase',
  walletpassphrasechange: 'walletpassphrasechange',
  walletlock: 'walletlock',
  showmnemonic: 'showmnemonic',
  backupwallet: 'backupwallet',
  listaddresses: 'listaddresses',
  getaddresslist: 'listaddresses',
  getaddresses: 'listaddresses',
  createblockchain: 'createblockchain',
  getbalance: 'getbalance',
  send: 'send',
  printchain: 'printchain',
  reindexutxo: 'reindexutxo',
  resetutxoset: 'reindexutxo',
  startnode: 'startnode',
  stop: 'stop',
  stopnode: 'stop',
  help: 'help',
};

/** `-address` → `--address`; `-h`, `--x`, negative numbers and plain values are left alone. */
function normalizeFlag(arg: string): string {
  if (/^-[A-Za-z][A-Za-z0-9-]+(=.*)?$/.test(arg)) return `-${arg}`;
  return arg;
}

export function normalizeArgv(args: string[]): string[] {
  const out = args.map((a, i) => (i > 0 && args[i - 1] === '--' ? a : normalizeFlag(a)));
  const idx = out.findIndex((a) => !a.startsWith('-'));
  if (idx >= 0 && !isValueOfPrecedingFlag(out, idx)) {
    const canonical = COMMAND_ALIASES[out[idx]!.toLowerCase()];
    if (canonical) out[idx] = canonical;
  }
  return out;
}

// Global flags that take a value may come before the command (`--datadir d send ...`).
const GLOBAL_VALUE_FLAGS = new Set(['--node-id', '--datadir', '--network', '--log-level', '--log-format']);

function isValueOfPrecedingFlag(args: string[], idx: number): boolean {
  return idx > 0 && GLOBAL_VALUE_FLAGS.has(args[idx - 1]!);
}

/**
 * A list-valued flag accepts repeats (`--to A --to B`), commas are not split
 * (an address never holds one), and the tutorial's JSON arrays (`'["A","B"]'`).
 */
export function parseListValue(value: string): string[] {
  const v = value.trim();
  if (!v.startsWith('[')) return [value];
  let parsed: unknown;
  try { parsed = JSON.parse(v); } catch { throw new SyntaxError(`"${value}" is not a valid JSON array`); }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string' || typeof x === 'number')) {
    throw new SyntaxError(`"${value}" must be a non-empty JSON array of strings or numbers`);
  }
  return parsed.map(String);
}
