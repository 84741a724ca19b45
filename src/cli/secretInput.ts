// Passphrases and mnemonics reach the CLI from a file (--passphrase-file,
// --mnemonic-file) or a terminal prompt that does not echo, never from argv,
// which `ps` and shell history show to others. Nothing here is ever logged.
import { readFile } from 'node:fs/promises';
import { UsageError } from './cliErrors.js';

/** The file's text without one trailing newline (what `echo secret > F` adds). */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try { text = await readFile(path, 'utf8'); } catch (e) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  text = text.replace(/\r?\n$/, '');
  if (text === '') throw new UsageError(`the ${what} file ${path} is empty`);
  return text;
}

/** Asks on the terminal (stderr) without echo; no terminal is a usage error naming the flag to use. */
export async function promptHidden(question: string, flag: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new UsageError(`no terminal to ask on: give ${flag} FILE`);
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  let answer = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') { input.off('data', onData); resolve(); return; }
          if (ch === '\u0003') { input.off('data', onData); reject(new UsageError('interrupted')); return; }
          if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
          else answer += ch;
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    process.stderr.write('\n');
  }
  return answer;
}

/** A secret from `file` when given, else from the prompt; `confirm` asks twice (a new passphrase). */
export async function secret(file: string | undefined, what: string, flag: string, confirm = false): Promise<string> {
  if (file !== undefined) return readSecretFile(file, what);
  const first = await promptHidden(`${what[0]!.toUpperCase()}${what.slice(1)}: `, flag);
  if (confirm && (await promptHidden(`Repeat the ${what}: `, flag)) !== first) throw new UsageError(`the two ${what}s differ`);
  if (first === '') throw new UsageError(`the ${what} is empty`);
  return first;
}

/** The optional BIP39 extra passphrase: only from a file (an empty prompt answer would be ambiguous). */
export async function bip39Passphrase(file: string | undefined): Promise<string> {
  return file === undefined ? '' : readSecretFile(file, 'mnemonic passphrase');
}
