// The command table. Flags are declared with two dashes; argv.ts has already
// turned the tutorial's `-flag` and camelCase commands into these spellings.
// Each command's code is imported only when that command runs (the node's code
// alone takes longer to load than Node takes to start), so the table and its
// help text cost nothing else.
import { Command, CommanderError, Option } from './commander.js';
import { parseListValue } from './argv.js';
import { UsageError } from './cliErrors.js';
import type { GlobalOptions, NodeContext } from './nodeContext.js';

const collect = (value: string, previous: string[] = []): string[] => {
  try { return [...previous, ...parseListValue(value)]; } catch (e) { throw new UsageError((e as Error).message); }
};

const threadsOption = (): Option => new Option('--threads <n>', 'mining worker threads (default: all cores on main, 1 on regtest)');

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1_000_000) throw new UsageError(`invalid --${name} "${text}": give a whole number above 0`);
  return Number(text);
}

type StartNodeFlagsIn = Omit<import('./commands/startNode.js').StartNodeFlags, 'mineAlways' | 'listenOnly' | 'given'> & { mineAlways?: boolean; listenOnly?: boolean };

export function buildProgram(): Command {
  const program = new Command('pubchain')
    .description('A Bitcoin-style public chain node: wallets, mining, sync between nodes')
    .option('--node-id <id>', 'which node (default: the NODE_ID environment variable)')
    .option('--datadir <dir>', 'data directory (default: ./data/<NODE_ID>)')
    .addOption(new Option('--network <name>', 'chain rules').choices(['main', 'regtest']).default('main'))
    .option('--json', 'print one JSON document (for scripts)')
    .option('--conf <file>', 'config file (default: <datadir>/pubchain.conf)')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });

  const ctxOf = async (cmd: Command): Promise<NodeContext> => (await import('./nodeContext.js')).resolveNode(cmd.optsWithGlobals() as GlobalOptions);
  const sub = (name: string, description: string): Command =>
    program.command(name).description(description).option('--json', 'print one JSON document').exitOverride()
      .configureOutput({ writeErr: () => undefined, outputError: () => undefined }).allowExcessArguments(false);

  const passOption = (): Option => new Option('--passphrase-file <file>', 'the wallet passphrase, from a file (else asked on the terminal)');

  sub('createwallet', 'derive the next address from the wallet\'s seed (the first call makes the seed and shows its 24 words once)')
    .addOption(passOption())
    .option('--bip39-passphrase-file <file>', 'an extra BIP39 passphrase for a new seed, from a file')
    .action(async (o: { passphraseFile?: string; bip39PassphraseFile?: string }, cmd: Command) => (await import('./commands/createWallet.js')).createWalletCommand(await ctxOf(cmd), o));

  sub('restorewallet', 'recreate the wallet from its 24 words and find its coins (gap limit 20)')
    .option('--mnemonic-file <file>', 'the words, from a file (else asked on the terminal; never on the command line)')
    .option('--bip39-passphrase-file <file>', 'the extra BIP39 passphrase, if the seed had one')
    .addOption(passOption())
    .action(async (o: { mnemonicFile?: string; bip39PassphraseFile?: string; passphraseFile?: string }, cmd: Command) => (await import('./commands/restoreWallet.js')).restoreWalletCommand(await ctxOf(cmd), o));

  sub('encryptwallet', 'encrypt the wallet\'s keys and seed with a passphrase (scrypt, AES-256-GCM)')
    .addOption(passOption())
    .action(async (o: { passphraseFile?: string }, cmd: Command) => (await import('./commands/walletKeys.js')).encryptWalletCommand(await ctxOf(cmd), o));

  sub('walletpassphrasechange', 'change the wallet passphrase')
    .addOption(passOption())
    .option('--new-passphrase-file <file>', 'the new passphrase, from a file (else asked on the terminal)')
    .action(async (o: { passphraseFile?: string; newPassphraseFile?: string }, cmd: Command) => (await import('./commands/walletKeys.js')).walletPassphraseChangeCommand(await ctxOf(cmd), o));

  sub('walletpassphrase', 'let the running node sign for --timeout seconds, then wipe the keys')
    .addOption(passOption())
    .requiredOption('--timeout <seconds>', 'how long the node holds the keys')
    .action(async (o: { passphraseFile?: string; timeout: string }, cmd: Command) => (await import('./commands/walletKeys.js')).walletPassphraseCommand(await ctxOf(cmd), { ...o, timeout: positiveInt(o.timeout, 'timeout')! }));

  sub('walletlock', 'make the running node wipe the wallet keys it holds')
    .action(async (_o, cmd: Command) => (await import('./commands/walletKeys.js')).walletLockCommand(await ctxOf(cmd)));

  sub('showmnemonic', 'print the wallet\'s 24 recovery words (needs the passphrase of an encrypted wallet)')
    .addOption(passOption())
    .action(async (o: { passphraseFile?: string }, cmd: Command) => (await import('./commands/walletKeys.js')).showMnemonicCommand(await ctxOf(cmd), o));

  sub('backupwallet', 'write a copy of the wallet file (encrypted if the wallet is) to FILE, atomically')
    .argument('<file>', 'where the copy goes')
    .action(async (file: string, _o, cmd: Command) => (await import('./commands/walletKeys.js')).backupWalletCommand(await ctxOf(cmd), file));

  sub('listaddresses', 'list the addresses in this node\'s wallet (alias: getaddresslist)')
    .action(async (_o, cmd: Command) => (await import('./commands/listAddresses.js')).listAddressesCommand(await ctxOf(cmd)));

  sub('createblockchain', 'mine a genesis block that pays ADDRESS')
    .requiredOption('--address <address>', 'who gets the genesis reward')
    .addOption(threadsOption())
    .action(async (o: { address: string; threads?: string }, cmd: Command) =>
      (await import('./commands/createBlockchain.js')).createBlockchainCommand(await ctxOf(cmd), o.address, positiveInt(o.threads, 'threads')));

  sub('getbalance', 'the balance of ADDRESS on this node\'s chain')
    .requiredOption('--address <address>', 'the address')
    .action(async (o: { address: string }, cmd: Command) => (await import('./commands/getBalance.js')).getBalanceCommand(await ctxOf(cmd), o.address));

  sub('send', 'send coins: --from A --to B --amount N (repeat, or JSON arrays, for several)')
    .option('--from <address>', 'sender (repeatable, or a JSON array)', collect, [])
    .option('--to <address>', 'receiver (repeatable, or a JSON array)', collect, [])
    .option('--amount <coins>', 'amount in coins, e.g. 22 or 0.5 (repeatable, or a JSON array)', collect, [])
    .option('--mine', 'mine the transfers into a block on this node now')
    .option('--connect <host:port>', 'the node to send to without --mine (default localhost:8000)')
    .option('--fee <coins>', 'fee per transaction, in coins (default 0)')
    .addOption(threadsOption())
    .addOption(passOption())
    .action(async (o: { from: string[]; to: string[]; amount: string[]; mine?: boolean; connect?: string; fee?: string; threads?: string; passphraseFile?: string }, cmd: Command) =>
      (await import('./commands/send.js')).sendCommand(await ctxOf(cmd), { ...o, mine: o.mine === true, threads: positiveInt(o.threads, 'threads') }));

  sub('printchain', 'print the chain, tip first')
    .option('--limit <n>', 'print only the newest N blocks')
    .action(async (o: { limit?: string }, cmd: Command) => (await import('./commands/printChain.js')).printChainCommand(await ctxOf(cmd), positiveInt(o.limit, 'limit')));

  sub('verifytxoutproof', 'check a gettxoutproof proof against this node\'s header chain and list the txids it proves')
    .argument('<proof>', 'the proof, as hex')
    .action(async (proof: string, _o, cmd: Command) => (await import('./commands/verifyTxOutProof.js')).verifyTxOutProofCommand(await ctxOf(cmd), proof));

  sub('reindexutxo', 'rebuild the UTXO set from the blocks (alias: resetutxoset)')
    .action(async (_o, cmd: Command) => (await import('./commands/reindexUtxo.js')).reindexUtxoCommand(await ctxOf(cmd)));

  sub('stop', 'stop this data directory\'s running node (through its RPC) and wait for it to exit')
    .action(async (_o, cmd: Command) => (await import('./commands/stopNode.js')).stopNodeCommand(await ctxOf(cmd)));

  sub('startnode', 'run the node: listen on NODE_ID (or --port), sync with peers, mine with --miner')
    .option('--miner <address>', 'mine blocks paying this address')
    .option('--connect <host:port>', 'peer to connect to (repeatable; default localhost:8000 for non-central nodes)', collect, [])
    .option('--listen-only', 'do not connect to the central node by default (only to --connect peers)')
    .option('--bind <host>', 'interface to listen on (0.0.0.0 for other machines)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (default: NODE_ID)')
    .option('--min-txs <n>', 'mine once the mempool holds this many transactions', '1')
    .option('--mine-always', 'also mine blocks with only a coinbase')
    .addOption(threadsOption())
    .option('--genesis <hash>', 'only join the chain with this genesis block')
    .option('--log-level <level>', 'trace, debug, info, warn, error')
    .addOption(new Option('--log-format <format>', 'pretty (default on a terminal) or json').choices(['json', 'pretty']))
    .option('--assumevalid <hash>', 'trust the signatures of this block and its ancestors, as Core\'s -assumevalid (default: none; docs/consensus.md)')
    .option('--minimumchainwork <hex>', 'never store or download a header chain with less total work than this (hex), as Core\'s -minimumchainwork (default: 0)')
    .option('--no-headersfirst', 'sync by getblocks/inv only and do not offer headers-first to peers (as an older node)')
    .option('--dbcache <mib>', 'memory for RocksDB\'s block cache and memtables together, in MiB (default: 300)')
    .option('--max-mempool <mb>', 'mempool limit in MiB; the lowest fee rates are evicted beyond it (default: 32)')
    .option('--rpc-port <n>', 'JSON-RPC port (default: the P2P port + 1000; 0 for any free port)')
    .option('--rpc-bind <host>', 'JSON-RPC interface (default: 127.0.0.1)')
    .option('--rpc-user <user>', 'JSON-RPC user, besides the cookie in <datadir>/.cookie')
    .option('--rpc-password <password>', 'JSON-RPC password for --rpc-user')
    .option('--stratum-port <n>', 'serve Stratum v1 miners on this port (off by default; 0 for any free port)')
    .option('--stratum-bind <host>', 'Stratum interface (default: 127.0.0.1)')
    .option('--rpcservertimeout <s>', 'seconds an idle JSON-RPC keep-alive connection stays open (default: 30)')
    .option('--rpcworkqueue <n>', 'JSON-RPC requests that may wait for a worker; more get HTTP 503 (default: 16)')
    .option('--whitelist <ip|cidr>', 'never ban this address or subnet (repeatable; local addresses are never banned anyway)', collect, [])
    .option('--metrics-port <n>', 'serve Prometheus metrics on this port at /metrics (default: off; 0 for any free port)')
    .option('--metrics-bind <host>', 'metrics interface (default: 127.0.0.1)')
    .option('--no-blockfilterindex', 'do not build or serve BIP157/158 compact block filters (built by default)')
    .option('--spv', 'run a light wallet: headers and compact block filters only, coins of this wallet only, sends through full peers (docs/wallet.md)')
    .option('--watch <address>', 'with --spv: also follow this address (watch-only, from the first sync on; repeatable)', collect, [])
    .action(async (o: StartNodeFlagsIn, cmd: Command) =>
      (await import('./commands/startNode.js')).startNodeCommand(await ctxOf(cmd), {
        ...o, mineAlways: o.mineAlways === true, listenOnly: o.listenOnly === true,
        given: cmd.options.filter((opt) => cmd.getOptionValueSource(opt.attributeName()) === 'cli').map((opt) => opt.long ?? ''),
      }));

  sub('bench', 'mining benchmark: hash rate per thread count, SIMD and scalar kernels, node:crypto reference; JSON and an HTML chart')
    .option('--threads <list>', 'thread counts, comma-separated (default: 1, 2, 4, … up to all cores)')
    .option('--seconds <n>', 'seconds per measurement window (default 2)')
    .option('--out <dir>', 'where pubchain-bench.json and pubchain-bench.html go (default: the current directory)')
    .action(async (o: { threads?: string; seconds?: string; out?: string }, cmd: Command) =>
      (await import('./commands/bench.js')).benchCommand({ ...o, json: (cmd.optsWithGlobals() as { json?: boolean }).json === true }));

  return program;
}

/** Commander's own errors (unknown option, missing value…) as one-line usage errors. */
export function commanderUsage(err: CommanderError): UsageError | null {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return null;
  return new UsageError(err.message.replace(/^error: /, ''));
}
