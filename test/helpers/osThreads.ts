// This process's OS threads, read from /proc (Linux): how many there are, and
// the CPU time each has used. Worker-pool tests use them to see that workers
// start, take work, and end. Elsewhere /proc is absent and these return null.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The number of OS threads of this process, or null without /proc. */
export function osThreads(): number | null {
  if (!existsSync('/proc/self/status')) return null;
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

/** Waits (bounded, about 2 s) for worker threads to go away; returns the count then. */
export async function waitForThreads(atMost: number): Promise<number | null> {
  for (let i = 0; i < 100 && (osThreads() ?? 0) > atMost; i++) await new Promise((r) => setTimeout(r, 20));
  return osThreads();
}

/** CPU time used so far by each OS thread of this process, in nanoseconds, keyed by thread id; null without /proc. */
export function threadCpuNs(): Map<string, number> | null {
  if (!existsSync('/proc/self/task')) return null;
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(tid, cpuNs(tid));
    } catch { /* the thread ended between listing and reading */ }
  }
  return out;
}

const TICK_NS = 1e9 / 100;

function cpuNs(tid: string): number {
  // schedstat: time on a CPU (ns), time waiting for one (ns), timeslices. Kernels
  // without it still have stat: utime and stime in clock ticks, fields 14 and 15.
  const sched = `/proc/self/task/${tid}/schedstat`;
  if (existsSync(sched)) return Number(readFileSync(sched, 'utf8').split(' ')[0]);
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_NS;
}
