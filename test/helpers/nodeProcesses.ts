// A temp directory of regtest node processes for one test file: each node gets
// an ephemeral port and its own data directory, and every process started is
// stopped (then the directory removed) when the file's tests end.
import { join } from 'node:path';
import { after, before } from 'node:test';
import { freePort, NodeDef, NodeProcess } from '../../scripts/lib/cliProcess.js';
import { tempDir } from './tempDir.js';

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
    async def(role) {
      const port = await freePort();
      return { role, id: String(port), port, datadir: join(root.dir, `${role}-${port}`), network: 'regtest' };
    },
    start(def, extra) {
      const p = NodeProcess.start(def, extra);
      running.push(p);
      return p;
    },
  };
}
