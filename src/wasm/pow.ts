// Synchronous proof-of-work search on the WASM kernel (assembly/pow.ts), one
// instance per thread. Callers chunk long ranges themselves: V8 runs a wasm
// function's first calls on its baseline compiler and never swaps code under
// a running call, so many medium calls (2^16..2^20 nonces) beat one huge one.
import { compileKernel, CompiledKernel, instantiate, KernelKind, WasmMemory } from './loader.js';
import { checkSearch, type SearchResult } from './nonceSearch.js';

interface PowExports {
  memory: WasmMemory;
  headerPtr(): number;
  targetPtr(): number;
  search(start: number, count: number): bigint;
}

/** The kernel's count is a u32; longer ranges are split. */
const MAX_CALL = 0x8000_0000;
const WARMUP_NONCES = 4096;

export class PowKernel {
  readonly kind: KernelKind;
  private readonly ex: PowExports;
  // The pow kernel never grows its memory, so these views stay valid.
  private readonly header: Uint8Array;
  private readonly target: Uint8Array;

  /** Instantiates a compiled kernel (from this thread or posted by another); default: the preferred kind. */
  constructor(compiled: CompiledKernel = compileKernel('pow')) {
    if (compiled.name !== 'pow') throw new TypeError(`PowKernel needs the pow kernel, got ${compiled.name}`);
    this.kind = compiled.kind;
    this.ex = instantiate<PowExports>(compiled.module);
    this.header = new Uint8Array(this.ex.memory.buffer, this.ex.headerPtr(), 80);
    this.target = new Uint8Array(this.ex.memory.buffer, this.ex.targetPtr(), 32);
    // A short first call so the baseline-compiled code is not what a real search runs on.
    this.target.fill(0);
    this.ex.search(0, WARMUP_NONCES);
  }

  /** Searches [startNonce, startNonce + count); the range must stay within the 32-bit nonce space. */
  search(header80: Uint8Array, targetLE32: Uint8Array, startNonce: number, count: number): SearchResult {
    checkSearch(header80, targetLE32, startNonce, count);
    this.header.set(header80);
    this.target.set(targetLE32);
    let done = 0;
    while (done < count) {
      const n = Math.min(count - done, MAX_CALL);
      const start = startNonce + done;
      const r = this.ex.search(start, n);
      if (r >= 0n) {
        const nonce = Number(r);
        return { nonce, hashes: done + nonce - start + 1 };
      }
      done += n;
    }
    return { nonce: null, hashes: count };
  }
}
