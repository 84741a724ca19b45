// Moved to test/helpers/cliProcess.ts (issue 12). This re-export keeps branches
// written before the move compiling; import from test/helpers instead.
export * from '../../test/helpers/cliProcess.js';
