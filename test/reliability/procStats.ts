// Memory of a child process as the kernel accounts it: VmHWM is the peak
// resident set over the whole life of the process, VmRSS the current one.
import { readFileSync } from 'node:fs';

export interface MemStats {
  rssKb: number;
  peakRssKb: number;
}

/** Null once the process is gone or dying (or on a system without /proc). */
export function memStats(pid: number): MemStats | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  const m = { rssKb: field('VmRSS'), peakRssKb: field('VmHWM') };
  // A process that has died but is not yet reaped (a zombie) has no memory lines left.
  return Number.isFinite(m.rssKb) && Number.isFinite(m.peakRssKb) ? m : null;
}
