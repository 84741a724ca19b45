// How much parallel CPU this machine has right now: the same busy loop on 1
// thread, then on every core at once. On an idle machine n threads do about
// n times the work; when other processes hold a core, far less. Ratios that
// need the other cores (pool scaling, pooled verification) only mean something
// when this headroom is there.
import os from 'node:os';
import { Worker } from 'node:worker_threads';

const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const end = Date.now() + workerData.ms;
let n = 0, x = 1;
while (Date.now() < end) { for (let i = 0; i < 10000; i++) x = (x * 1103515245 + 12345) >>> 0; n++; }
parentPort.postMessage(n + (x === 0.5 ? 1 : 0));
`;

function spin(threads: number, ms: number): Promise<number> {
  return Promise.all(Array.from({ length: threads }, () => new Promise<number>((resolve, reject) => {
    const w = new Worker(SPIN, { eval: true, workerData: { ms } });
    w.once('message', (n: number) => { resolve(n); void w.terminate(); });
    w.once('error', reject);
  }))).then((counts) => counts.reduce((a, b) => a + b, 0));
}

/** Work on every core over work on one: about `cores` when the machine is idle. */
export async function parallelHeadroom(ms = 300): Promise<{ cores: number; scaling: number }> {
  const cores = os.availableParallelism();
  const one = await spin(1, ms);
  const all = await spin(cores, ms);
  return { cores, scaling: all / one };
}
