// Batched SHA256d and HASH160 on the WASM kernel (assembly/hash.ts), synchronously: the
// messages are copied into WASM memory in one piece, a job table of
// (address, length) pairs is written beside them, and one call hashes them
// all (four at a time on the SIMD build). Same digests as core/hash.ts's
// sha256d (hash160) of each message. The shared kernel is made on first use.
import type { BatchHashers } from '../core/hash.js';
import { compileKernel, CompiledKernel, instantiate, KernelKind, MemoryBytes, WasmMemory } from './loader.js';

interface HashExports {
  memory: WasmMemory;
  dataPtr(): number;
  sha256dBatch(jobs: number, count: number, outPtr: number): void;
  hash160Batch(jobs: number, count: number, outPtr: number): void;
}

const HASH = 32;
const KEY_HASH = 20;
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
  sha256d(bytes: Uint8Array, ends: readonly number[], count: number): Uint8Array {
    return this.run(bytes, ends, count, HASH, this.ex.sha256dBatch);
  }

  /** HASH160 of each message: digest i is bytes [20i, 20i + 20) of the result. */
  hash160(bytes: Uint8Array, ends: readonly number[], count: number): Uint8Array {
    return this.run(bytes, ends, count, KEY_HASH, this.ex.hash160Batch);
  }

  private run(bytes: Uint8Array, ends: readonly number[], count: number, size: number, batch: (jobs: number, count: number, outPtr: number) => void): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const total = ends[count - 1]!;
    if (total > bytes.length) throw new RangeError(`messages end at ${total}, past the ${bytes.length} bytes given`);
    const jobs = this.base;
    const data = align16(jobs + count * 8);
    const outAt = align16(data + total);
    const mem = this.mem.ensure(outAt + count * size);
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
    batch(jobs, count, outAt);
    return mem.slice(outAt, outAt + count * size);
  }
}

// Made on first use, not at import: a bad PUBCHAIN_WASM must reach the CLI's
// error handling as one line, not abort the import with a stack trace.
let sharedKernel: HashKernel | null = null;
const shared = (): HashKernel => (sharedKernel ??= new HashKernel());

export function hashKernelKind(): KernelKind {
  return shared().kind;
}

/** The batch hashers on the shared kernel. */
export const batchHashersWasm: BatchHashers = {
  sha256d: (bytes, ends, count) => shared().sha256d(bytes, ends, count),
  hash160: (bytes, ends, count) => shared().hash160(bytes, ends, count),
};
