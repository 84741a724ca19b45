// Generates the protobuf code from proto/ into src/generated/ (not committed):
// a static ES module and its TypeScript declarations, compiled with the rest.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'src', 'generated');
// uint64 fields decode as Long (typed number|Long); src/p2p/messages.ts carries them as exact bigints.
const protos = readdirSync(join(root, 'proto')).filter((f) => f.endsWith('.proto')).map((f) => join(root, 'proto', f));
const bin = (name) => join(root, 'node_modules', '.bin', name);
mkdirSync(out, { recursive: true });
const js = join(out, 'proto.js');
execFileSync(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '--no-create', '--no-verify', '--no-convert', '--no-delimited', '-o', js, ...protos], { stdio: 'inherit' });
execFileSync(bin('pbts'), ['-o', join(out, 'proto.d.ts'), js], { stdio: 'inherit' });
