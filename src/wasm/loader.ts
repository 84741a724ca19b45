// Finds, validates and compiles the WASM kernels built from assembly/ into
// build/. Each (kernel, kind) is compiled once per thread; the compiled
// module is structured-cloneable, so worker threads receive it instead of
// compiling again. SIMD is used when the engine validates the SIMD build;
// PUBCHAIN_WASM=scalar forces the fallback (PUBCHAIN_WASM=simd insists on SIMD).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PubchainError, UsageError } from '../core/errors.js';

export type KernelName = 'pow' | 'merkle' | 'hash';
export type KernelKind = 'simd' | 'scalar';

/** Opaque compiled module (a WebAssembly.Module): the TS config has no DOM types. */
export interface WasmModule { readonly [Symbol.toStringTag]: string }

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: object };
  validate(bytes: Uint8Array): boolean;
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const WASM_PAGE = 65536;

export interface CompiledKernel {
  readonly name: KernelName;
  readonly kind: KernelKind;
  readonly module: WasmModule;
}

/** dist/src/wasm/loader.js -> <repo>/build/. */
export function kernelPath(name: KernelName, kind: KernelKind): string {
  return fileURLToPath(new URL(`../../../build/${name}.${kind}.wasm`, import.meta.url));
}

function readKernel(name: KernelName, kind: KernelKind): Uint8Array {
  const path = kernelPath(name, kind);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`WASM kernel ${path} is missing: run \`npm run build:wasm\``, { cause: err });
  }
}

let simd: boolean | undefined;

/** Whether this engine accepts the SIMD build (checked once, on the real module bytes). */
export function simdSupported(): boolean {
  simd ??= wasm.validate(readKernel('pow', 'simd'));
  return simd;
}

export function preferredKind(): KernelKind {
  const forced = process.env.PUBCHAIN_WASM;
  if (forced === 'scalar') return 'scalar';
  if (forced === 'simd') {
    if (!simdSupported()) throw new PubchainError('wasm-unavailable', 'PUBCHAIN_WASM=simd, but this engine does not support WebAssembly SIMD');
    return 'simd';
  }
  if (forced !== undefined && forced !== '' && forced !== 'auto') throw new UsageError(`PUBCHAIN_WASM must be simd, scalar or auto, got ${forced}`);
  return simdSupported() ? 'simd' : 'scalar';
}

const compiled = new Map<string, CompiledKernel>();

export function compileKernel(name: KernelName, kind: KernelKind = preferredKind()): CompiledKernel {
  const key = `${name}.${kind}`;
  let k = compiled.get(key);
  if (!k) {
    const bytes = readKernel(name, kind);
    if (!wasm.validate(bytes)) throw new Error(`this engine cannot run ${key}.wasm${kind === 'simd' ? ' (no WebAssembly SIMD)' : ''}`);
    k = { name, kind, module: new wasm.Module(bytes) };
    compiled.set(key, k);
  }
  return k;
}

/** The kernels import nothing; their exports are typed by the caller. */
export function instantiate<T extends object>(module: WasmModule): T {
  return new wasm.Instance(module, {}).exports as T;
}

/**
 * A byte view over an instance's memory that follows growth: growing detaches
 * the old ArrayBuffer, so the view is rebuilt only when the buffer changed.
 */
export class MemoryBytes {
  private view: Uint8Array;

  constructor(private readonly memory: WasmMemory) {
    this.view = new Uint8Array(memory.buffer);
  }

  get bytes(): Uint8Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Uint8Array(this.memory.buffer);
    return this.view;
  }

  /** Grows the memory until it holds at least `byteLength` bytes. */
  ensure(byteLength: number): Uint8Array {
    const have = this.memory.buffer.byteLength;
    if (byteLength > have) this.memory.grow(Math.ceil((byteLength - have) / WASM_PAGE));
    return this.bytes;
  }
}
