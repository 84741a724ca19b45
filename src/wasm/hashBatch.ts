// Batched SHA256d on the WASM kernel (assembly/hash.ts), synchronously: the
// messages are copied into WASM memory in one piece, a job table of
// (address, length) pairs is written beside them, and one call hashes them
// all (four at a time on the SIMD build). Same digests as core/hash.ts's
// sha256d of each message. The shared kernel is made on first use.
import type { Sha256dSpans } from '../core/hash.js';
import { compileKernel, CompiledKernel, instantiate, KernelKind, MemoryBytes, WasmMemory } from './loader.js';

interface HashExports {
  memory: WasmMemory;
  dataPtr(): number;
  sha256dBatch(jobs: number, count: number, outPtr: number): void;
}

const HASH = 32;
const align16 = (n: number): number => (n + 15) & ~15;

export class HashKernel {
  readonly kind: KernelKind;
  private readonly ex: HashExports;
  private readonly mem: MemoryBytes;
  private readonly base: number;
  private words: Uint32Array;

  constructor(compiled: CompiledKernel = compileKernel('hash')) {
    if (compiled.name !== 'hash') throw new TypeError(`HashKernel needs the hash kernel, got ${compiled.name}`);
    this.kind = compiled.kind;
    this.ex = instantiate<HashExports>(compiled.module);
    this.mem = new MemoryBytes(this.ex.memory);
    this.base = this.ex.dataPtr();
    this.words = new Uint32Array(this.ex.memory.buffer);
  }

  /** See Sha256dSpans (core/hash.ts). */
  spans(bytes: Uint8Array, ends: readonly number[], count: number): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const total = ends[count - 1]!;
    if (total > bytes.length) throw new RangeError(`messages end at ${total}, past the ${bytes.length} bytes given`);
    const jobs = this.base;
    const data = align16(jobs + count * 8);
    const outAt = align16(data + total);
    const mem = this.mem.ensure(outAt + count * HASH);
    if (this.words.buffer !== mem.buffer) this.words = new Uint32Array(mem.buffer);
    mem.set(total === bytes.length ? bytes : bytes.subarray(0, total), data);
    const w = this.words;
    for (let i = 0, start = 0, j = jobs >>> 2; i < count; i++, j += 2) {
      const end = ends[i]!;
      if (end < start) throw new RangeError(`message ${i} ends at ${end}, before it starts at ${start}`);
      w[j] = data + start;
      w[j + 1] = end - start;
      start = end;
    }
    this.ex.sha256dBatch(jobs, count, outAt);
    return mem.slice(outAt, outAt + count * HASH);
  }
}

// Made on first use, not at import: a bad PUBCHAIN_WASM must reach the CLI's
// error handling as one line, not abort the import with a stack trace.
let sharedKernel: HashKernel | null = null;
const shared = (): HashKernel => (sharedKernel ??= new HashKernel());

export function hashKernelKind(): KernelKind {
  return shared().kind;
}

/** Sha256dSpans on the shared kernel. */
export const sha256dSpansWasm: Sha256dSpans = (bytes, ends, count) => shared().spans(bytes, ends, count);
