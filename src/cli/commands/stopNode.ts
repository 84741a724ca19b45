// `pubchain stop`: asks this data directory's running node to shut down (RPC
// `stop`) and waits until its process has exited.
import { PubchainError } from '../../core/errors.js';
import { stopLive } from '../liveCommands.js';
import type { NodeContext } from '../nodeContext.js';
import { findRunningNode } from '../runningNode.js';

export async function stopNodeCommand(ctx: NodeContext): Promise<void> {
  const live = await findRunningNode(ctx.datadir);
  if (!live) throw new PubchainError('not-running', `no node is running on ${ctx.datadir}`);
  await stopLive(ctx, live);
}
