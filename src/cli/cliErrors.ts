// Exit codes: 0 success, 1 a user error (bad address, no funds, database in
// use…), 2 a usage error (unknown command or flag, missing argument).
import { PubchainError, UsageError } from '../core/errors.js';

export { UsageError } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_USER = 1;
export const EXIT_USAGE = 2;

/** One line for stderr and the exit code, for anything a command throws. */
export function describeError(err: unknown): { line: string; code: number } {
  if (err instanceof UsageError) return { line: err.message, code: EXIT_USAGE };
  if (err instanceof PubchainError) return { line: err.message, code: EXIT_USER };
  if (err instanceof RangeError || err instanceof SyntaxError) return { line: err.message, code: EXIT_USER };
  const message = err instanceof Error ? err.message : String(err);
  return { line: `unexpected error: ${message.split('\n')[0]}`, code: EXIT_USER };
}
