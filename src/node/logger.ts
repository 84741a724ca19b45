// Structured logs (pino): one child logger per module. Human-readable on a
// terminal, JSON lines otherwise or with --log-format json. Logs go to stderr so
// a command's stdout stays clean for its result (and for --json).
import { pino } from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;
export type LogFormat = 'pretty' | 'json';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  name?: string;
  /** JSON lines go here instead of stderr (tests read a node's log in-process). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new RangeError(`unknown log level "${level}": use one of ${LOG_LEVELS.join(', ')}`);
  const format = opts.destination ? 'json' : opts.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const base = { level, base: opts.name ? { node: opts.name } : undefined };
  if (format === 'pretty') {
    // `event` (logEvents.ts) is for programs reading the JSON form; a terminal shows the text.
    return pino(base, pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,event' }));
  }
  return pino(base, opts.destination ?? pino.destination({ dest: 2, sync: true }));
}

export const MODULES = ['p2p', 'sync', 'chain', 'mempool', 'miner', 'rpc', 'node'] as const;
export type ModuleName = (typeof MODULES)[number];

export function moduleLogger(root: Logger, module: ModuleName): Logger {
  return root.child({ module });
}
