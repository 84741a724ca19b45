#!/usr/bin/env node
// Thin launcher, CommonJS (bin/package.json) so that a command a running node
// answers loads one bundled file (dist/cli-routed.cjs, src/cli/routed.ts) and
// no ES module at all; everything else goes to the full CLI (dist/src/cli/main.js).
// Both are built by `npm install` (the prepare script).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const dist = join(__dirname, '..', 'dist');
const main = join(dist, 'src', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('pubchain is not built yet: run `npm install` (or `npm run build`) in the repository first\n');
  process.exit(2);
}
const full = () => import(pathToFileURL(main).href);
const routed = join(dist, 'cli-routed.cjs');
if (!existsSync(routed)) full();
else {
  require(routed).runRouted(process.argv.slice(2)).then((code) => {
    if (code === null) return full();
    process.exitCode = code;
    // As main.ts does: exit once stdout has flushed.
    process.stdout.write('', () => process.exit(code));
  });
}
