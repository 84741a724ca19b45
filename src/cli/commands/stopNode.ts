// `pubchain stop`: asks this data directory's running node to shut down (RPC
// `stop`) and waits until its process has exited.
import { PubchainError } from '../../core/errors.js';
import type { NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { findRunningNode } from '../runningNode.js';
import { isProcessAlive } from '../../wallet/fileLock.js';

const WAIT_MS = 15_000;


export async function stopNodeCommand(ctx: NodeContext): Promise<void> {
  const live = await findRunningNode(ctx.datadir);
  if (!live) throw new PubchainError('not-running', `no node is running on ${ctx.datadir}`);
  await live.call('stop', []);
  const end = Date.now() + WAIT_MS;
  while (isProcessAlive(live.info.pid)) {
    if (Date.now() > end) throw new PubchainError('stop-timeout', `the node (pid ${live.info.pid}) is still running ${WAIT_MS / 1000} s after being asked to stop`);
    await new Promise((r) => setTimeout(r, 50));
  }
  emit(ctx.json, { stopped: true, pid: live.info.pid }, () => `node ${live.info.pid} stopped`);
}
