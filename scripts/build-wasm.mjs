// Compiles the AssemblyScript kernels in assembly/ to build/<kernel>.<target>.wasm:
// a SIMD build (four lanes per iteration) and a scalar fallback for hosts whose
// engine lacks wasm SIMD. Options and targets are in asconfig.json.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kernels = ['pow', 'merkle', 'hash'];
const targets = ['simd', 'scalar'];

mkdirSync(join(root, 'build'), { recursive: true });
for (const kernel of kernels) {
  for (const target of targets) {
    const out = join('build', `${kernel}.${target}.wasm`);
    const { error, stderr } = await asc.main([
      join('assembly', `${kernel}.ts`),
      '--config', 'asconfig.json',
      '--target', target,
      '--baseDir', root,
      '--outFile', out,
    ]);
    if (error) {
      process.stderr.write(stderr.toString());
      throw new Error(`asc failed for ${out}: ${error.message}`);
    }
    console.log(`built ${out}`);
  }
}
