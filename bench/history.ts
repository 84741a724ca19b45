// bench/history.jsonl: one JSON line per `bench:baseline` run, appended and
// committed with the baseline, so the trend of every gated ratio can be read
// back across commits (report.html charts it).
import { execFileSync } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import type { BenchResult } from './types.js';

export interface HistoryEntry {
  date: string;
  /** `git rev-parse HEAD` where the run was made, or "unknown" outside a git checkout. */
  commit: string;
  machine: Record<string, unknown>;
  /** The ratios written to baseline.json by this run (the lowest of its runs). */
  ratios: Record<string, number>;
  /** The first run's results, every figure. */
  results: BenchResult[];
}

/** The commit checked out in `cwd`, or "unknown" when it is not a git checkout (or git is missing). */
export function currentCommit(cwd: string): string {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function appendHistory(path: string, entry: HistoryEntry): Promise<void> {
  await appendFile(path, `${JSON.stringify(entry)}\n`);
}

/** Every entry of the file, oldest first; a missing file is an empty history, a broken line is an error naming it. */
export async function readHistory(path: string): Promise<HistoryEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      const e = JSON.parse(line) as HistoryEntry;
      if (typeof e.commit !== 'string' || typeof e.ratios !== 'object' || e.ratios === null) throw new Error('no commit or ratios');
      return [e];
    } catch (err) {
      throw new Error(`${path}:${i + 1}: not a history entry (${(err as Error).message})`);
    }
  });
}
