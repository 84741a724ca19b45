// The verify pool's worker entry, in CommonJS. piscina first require()s a worker
// file; verifyWorker.js's module graph has top-level await (core/hash.ts makes
// its WASM hasher at load), so that require fails and piscina falls back to
// import(). Two tasks arriving while that import is under way made Node 20 try
// to require() the half-loaded graph again, which aborts the whole process
// ("v8::Module::IsGraphAsync must be used on an instantiated module", seen in
// the test suite). This entry requires nothing ESM: it imports the worker once
// and hands every task to it.
type Verify = (task: { buffer: ArrayBuffer }) => number;

let handler: Promise<Verify> | undefined;

module.exports = async function verifyEntry(task: { buffer: ArrayBuffer }): Promise<number> {
  handler ??= import('./verifyWorker.js').then((m: { default: Verify }) => m.default);
  return (await handler)(task);
};
