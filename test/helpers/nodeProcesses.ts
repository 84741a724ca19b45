// A temp directory of regtest node processes for one test file: each node gets
// an ephemeral port and its own data directory (cliProcess.ts's nodeDef, which
// test/reliability/liveNode.ts uses too), and every process started is stopped
// (then the directory removed) when the file's tests end.
import { after, before } from 'node:test';
import { NodeDef, nodeDef, NodeProcess } from './cliProcess.js';
import { tempDir } from './tempDir.js';

export { nodeDef };

export interface NodeFleet {
  def(role: string): Promise<NodeDef>;
  start(def: NodeDef, extra: string[]): NodeProcess;
}

/** Call at the top of a test file: registers the before/after hooks. */
export function nodeFleet(tag: string): NodeFleet {
  let root: { dir: string; cleanup: () => Promise<void> };
  const running: NodeProcess[] = [];
  before(async () => { root = await tempDir(tag); });
  after(async () => {
    for (const p of running) await p.stop().catch(() => undefined);
    await root.cleanup();
  });
  return {
    def: (role) => nodeDef(root.dir, role),
    start(def, extra) {
      const p = NodeProcess.start(def, extra);
      running.push(p);
      return p;
    },
  };
}
