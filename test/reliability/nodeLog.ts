// Every JSON log record a node process writes to stderr, parsed once: counts
// per message, the error-level records (a node that logs "unexpected error"
// met something its code did not plan for), and a window of recent records
// that tests search from a mark taken before an action.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const ERROR_LEVEL = 50;

export class NodeLog {
  /** Absolute number of records seen; `mark()` returns it. */
  seen = 0;
  readonly counts = new Map<string, number>();
  readonly errors: LogRecord[] = [];
  /** Records `keepIf` selects, kept for the whole run (the window may have dropped them). */
  readonly kept: LogRecord[] = [];
  keepIf: ((r: LogRecord) => boolean) | null = null;
  private readonly recent: LogRecord[] = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly child: ChildProcess, private readonly keep = 20_000) {
    createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    child.once('exit', () => this.wake());
  }

  private get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private onLine(line: string): void {
    let rec: LogRecord;
    try {
      rec = JSON.parse(line) as LogRecord;
    } catch {
      rec = { level: ERROR_LEVEL, msg: `unparsed stderr: ${line.slice(0, 300)}` };
    }
    this.seen++;
    this.counts.set(rec.msg, (this.counts.get(rec.msg) ?? 0) + 1);
    if (rec.level >= ERROR_LEVEL && this.errors.length < 50) this.errors.push(rec);
    if (this.keepIf?.(rec) && this.kept.length < 200) this.kept.push(rec);
    this.recent.push(rec);
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    this.wake();
  }

  mark(): number {
    return this.seen;
  }

  /** Records after `mark` still held in the window. */
  since(mark: number): LogRecord[] {
    const first = this.seen - this.recent.length;
    return this.recent.slice(Math.max(0, mark - first));
  }

  count(msg: string): number {
    return this.counts.get(msg) ?? 0;
  }

  /** Resolves with the first record after `mark` matching `pred`; rejects after `timeoutMs` or when the node exits. */
  async waitFor(what: string, pred: (r: LogRecord) => boolean, mark: number, timeoutMs: number): Promise<LogRecord> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.since(mark).find(pred);
      if (hit) return hit;
      if (this.exited) throw new Error(`node exited (${this.child.exitCode ?? this.child.signalCode}) while waiting for a log record: ${what}`);
      const left = end - Date.now();
      if (left <= 0) {
        const tail = this.since(mark).slice(-5).map((r) => JSON.stringify(r)).join('\n  ');
        throw new Error(`timed out waiting for a log record: ${what}; last records:\n  ${tail}`);
      }
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, Math.min(left, 200)); });
    }
  }
}
