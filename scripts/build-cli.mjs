// Bundles the CLI's routed fast path (src/cli/routed.ts and what it imports)
// into one CommonJS file, dist/cli-routed.cjs, which bin/pubchain.js tries
// before the full CLI: one file to load instead of some twenty ES modules
// (docs/cli.md, "With the node running"). tsc still type-checks the sources.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'src', 'cli', 'routed.ts')],
  outfile: join(root, 'dist', 'cli-routed.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});
