// Entry point of the `pubchain` command. Errors end as one line on stderr and
// an exit code: 0 ok, 1 user error, 2 usage.
import { CommanderError } from './commander.js';
import { normalizeArgv } from './argv.js';
import { describeError, EXIT_USAGE } from './cliErrors.js';
import { buildProgram, commanderUsage } from './program.js';
import { applySettings, configPath, readConfigFile } from './config.js';

async function main(argv: string[]): Promise<number> {
  const args = normalizeArgv(argv);
  const program = buildProgram();
  try {
    const where = configPath(args, process.env);
    applySettings(program, where ? readConfigFile(where.path, where.explicit) : null);
  } catch (err) {
    const { line, code } = describeError(err);
    process.stderr.write(`pubchain: ${line}\n`);
    return code;
  }
  if (args.length === 0) {
    process.stderr.write(`${program.helpInformation()}`);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      const usage = commanderUsage(err);
      if (!usage) return 0;
      err = usage;
    }
    const { line, code } = describeError(err);
    process.stderr.write(`pubchain: ${line}\n`);
    return code;
  }
}

// A command that failed after it had started (startnode after a storage failure) leaves
// process.exitCode at 1; a clean return must not overwrite that with 0.
const code = (await main(process.argv.slice(2))) || Number(process.exitCode ?? 0) || 0;
process.exitCode = code;
// Worker pools and sockets are closed by the commands; exit anyway so a stray handle cannot hang
// a script, but only once stdout has flushed: a pipe is written asynchronously, and exiting
// earlier cut large --json output short.
process.stdout.write('', () => process.exit(code));
