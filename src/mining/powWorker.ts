// Worker side of the nonce search pool (noncePool.ts). Each task is one search; every worker of the
// pool gets the same task and they share its control block: workers claim
// chunks of the nonce range from a shared counter (so a slow or busy core
// simply claims fewer), and record the lowest chunk that held a solution.
// A worker stops before a chunk when the search was stopped (abort, close) or
// when a lower chunk already holds a solution, so the pool's answer is the
// first solution in the range, the same one a single thread finds.
import { workerData } from 'node:worker_threads';
import type { KernelKind, WasmModule } from '../wasm/loader.js';
import type { SearchResult } from '../wasm/nonceSearch.js';
import { PowKernel } from '../wasm/pow.js';

/** Int32 slots of a search's SharedArrayBuffer. */
export const CTL_NEXT_CHUNK = 0;
export const CTL_FOUND_CHUNK = 1;
export const CTL_STOP = 2;
export const CTL_SLOTS = 3;
export const NO_CHUNK = 0x7fffffff;

export interface PowWorkerData {
  module: WasmModule;
  kind: KernelKind;
}

export interface PowTask {
  control: SharedArrayBuffer;
  header: Uint8Array;
  target: Uint8Array;
  start: number;
  count: number;
  chunk: number;
}

export function newControl(): Int32Array {
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * 4));
  ctl[CTL_FOUND_CHUNK] = NO_CHUNK;
  return ctl;
}

export function runPowTask(kernel: PowKernel, task: PowTask): SearchResult {
  const ctl = new Int32Array(task.control);
  const chunks = Math.ceil(task.count / task.chunk);
  let hashes = 0;
  while (Atomics.load(ctl, CTL_STOP) === 0) {
    const c = Atomics.add(ctl, CTL_NEXT_CHUNK, 1);
    if (c >= chunks || c > Atomics.load(ctl, CTL_FOUND_CHUNK)) break;
    const from = c * task.chunk;
    const r = kernel.search(task.header, task.target, task.start + from, Math.min(task.chunk, task.count - from));
    hashes += r.hashes;
    if (r.nonce !== null) {
      lowerFoundChunk(ctl, c);
      return { nonce: r.nonce, hashes };
    }
  }
  return { nonce: null, hashes };
}

function lowerFoundChunk(ctl: Int32Array, c: number): void {
  let seen = Atomics.load(ctl, CTL_FOUND_CHUNK);
  while (c < seen) {
    const prev = Atomics.compareExchange(ctl, CTL_FOUND_CHUNK, seen, c);
    if (prev === seen) return;
    seen = prev;
  }
}

// Instantiated on the first task, from the module the main thread compiled,
// so importing this file (for the constants above) has no side effects.
let kernel: PowKernel | null = null;

export default function powWorker(task: PowTask): SearchResult {
  if (!kernel) {
    const data = workerData as PowWorkerData;
    kernel = new PowKernel({ name: 'pow', kind: data.kind, module: data.module });
  }
  return runPowTask(kernel, task);
}
