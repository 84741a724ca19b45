// Merkle roots on the WASM kernel (assembly/merkle.ts), synchronously. The
// shared kernel is compiled and instantiated on first use, not when this file
// loads. The whole tree is hashed in place in WASM memory, level by level,
// with Bitcoin's rule (an odd level pairs its last hash with itself); memory
// grows for large blocks.
import type { MerkleRootFn } from '../core/merkle.js';
import { compileKernel, CompiledKernel, instantiate, KernelKind, MemoryBytes, WasmMemory } from './loader.js';

interface MerkleExports {
  memory: WasmMemory;
  dataPtr(): number;
  hashLevel(inPtr: number, count: number, outPtr: number): void;
}

const HASH = 32;

export class MerkleKernel {
  readonly kind: KernelKind;
  private readonly ex: MerkleExports;
  private readonly mem: MemoryBytes;
  private readonly base: number;

  constructor(compiled: CompiledKernel = compileKernel('merkle')) {
    if (compiled.name !== 'merkle') throw new TypeError(`MerkleKernel needs the merkle kernel, got ${compiled.name}`);
    this.kind = compiled.kind;
    this.ex = instantiate<MerkleExports>(compiled.module);
    this.mem = new MemoryBytes(this.ex.memory);
    this.base = this.ex.dataPtr();
  }

  root(leaves: Uint8Array[]): Uint8Array {
    let n = leaves.length;
    if (n === 0) throw new RangeError('a Merkle tree needs at least one leaf');
    // One spare slot: an odd level gets its last hash copied after it.
    let bytes = this.mem.ensure(this.base + (n + 1) * HASH);
    for (let i = 0; i < n; i++) {
      const leaf = leaves[i]!;
      if (leaf.length !== HASH) throw new RangeError(`Merkle leaf ${i} is ${leaf.length} bytes, not 32`);
      bytes.set(leaf, this.base + i * HASH);
    }
    while (n > 1) {
      if (n & 1) {
        bytes.copyWithin(this.base + n * HASH, this.base + (n - 1) * HASH, this.base + n * HASH);
        n++;
      }
      n /= 2;
      this.ex.hashLevel(this.base, n, this.base);
    }
    return bytes.slice(this.base, this.base + HASH);
  }

  /**
   * SHA256d of each 64-byte pair in `pairs` (count = pairs.length / 64), into
   * `out` (count * 32 bytes). One Merkle level without the odd-leaf rule.
   */
  hashPairs(pairs: Uint8Array, out: Uint8Array = new Uint8Array(pairs.length / 2)): Uint8Array {
    if (pairs.length % 64 !== 0) throw new RangeError('pairs must be a whole number of 64-byte pairs');
    const count = pairs.length / 64;
    if (out.length < count * HASH) throw new RangeError('output too small');
    const bytes = this.mem.ensure(this.base + pairs.length);
    bytes.set(pairs, this.base);
    this.ex.hashLevel(this.base, count, this.base);
    out.set(bytes.subarray(this.base, this.base + count * HASH));
    return out;
  }

  /** Hashes `count` pairs already placed at the start of the data area: the bench's inner loop, without copies. */
  hashInPlace(count: number): void {
    this.mem.ensure(this.base + count * 64);
    this.ex.hashLevel(this.base, count, this.base);
  }

  /** The data area, for callers that fill it directly (valid until memory grows). */
  dataArea(byteLength: number): Uint8Array {
    return this.mem.ensure(this.base + byteLength).subarray(this.base, this.base + byteLength);
  }
}

// Made on first use, not at import: a bad PUBCHAIN_WASM must reach the CLI's
// error handling as one line, not abort the import with a stack trace.
let sharedKernel: MerkleKernel | null = null;
const shared = (): MerkleKernel => (sharedKernel ??= new MerkleKernel());

export function merkleKernelKind(): KernelKind {
  return shared().kind;
}

/** Bitcoin's Merkle root of txids (internal byte order); RangeError on zero leaves. */
export const merkleRoot: MerkleRootFn = (leaves) => shared().root(leaves);

/** One level (64-byte pairs in, 32-byte hashes out) on the shared kernel. */
export function merkleLevelWasm(pairs: Uint8Array, out?: Uint8Array): Uint8Array {
  return shared().hashPairs(pairs, out);
}
