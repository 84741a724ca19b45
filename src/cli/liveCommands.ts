// What the commands do when their node is running: one RPC call each, and the
// same output either way. The command modules call these, and so does the
// routed fast path (routed.ts), which loads nothing else.
import { PubchainError } from '../core/errors.js';
import { isProcessAlive } from '../wallet/fileLock.js';
import type { NodeContext } from './nodeResolve.js';
import { emit } from './output.js';
import type { LiveNode } from './runningNode.js';

export interface Balance { address: string; balance: string; units: string }

export const printBalance = (ctx: NodeContext, b: Balance): void => emit(ctx.json, b, () => `Balance of '${b.address}': ${b.balance}`);

/** The running node checks the address itself. */
export async function balanceLive(ctx: NodeContext, live: LiveNode, address: string): Promise<void> {
  printBalance(ctx, await live.call<Balance>('getaddressbalance', [address]));
}

const STOP_WAIT_MS = 15_000;

/** Asks the node to stop (RPC `stop`), then waits until its process has exited. */
export async function stopLive(ctx: NodeContext, live: LiveNode): Promise<void> {
  await live.call('stop', []);
  const end = Date.now() + STOP_WAIT_MS;
  while (isProcessAlive(live.info.pid)) {
    if (Date.now() > end) throw new PubchainError('stop-timeout', `the node (pid ${live.info.pid}) is still running ${STOP_WAIT_MS / 1000} s after being asked to stop`);
    await new Promise((r) => setTimeout(r, 50));
  }
  emit(ctx.json, { stopped: true, pid: live.info.pid }, () => `node ${live.info.pid} stopped`);
}

/** The txids a proof proves (none: it is invalid), as verifytxoutproof prints them. */
export function printProof(ctx: NodeContext, txids: string[]): void {
  if (txids.length === 0) throw new PubchainError('proof-invalid', 'the proof does not hash to its block\'s Merkle root: it proves nothing');
  emit(ctx.json, { valid: true, txids }, () => ['The proof is valid; it proves:', ...txids.map((t) => `  ${t}`)].join('\n'));
}

export async function proofLive(ctx: NodeContext, live: LiveNode, proof: string): Promise<void> {
  printProof(ctx, await live.call<string[]>('verifytxoutproof', [proof]));
}
