// Reorganisation: moving the tip to another branch, disconnecting back to the
// fork point and connecting the branch block by block. A branch block that
// breaks a rule is marked failed, and the chain settles on whichever has more
// work: the valid part of the branch, or the chain it started from.
import { Block, blockTxids } from '../core/block.js';
import { bytesEqual, hashToHex } from '../core/bytes.js';
import { PubchainError, ValidationError } from '../core/errors.js';
import { StorageError } from '../storage/errors.js';
import { BlockIndexEntry, isFailed } from './blockIndex.js';
import type { ChainHost } from './chainHost.js';
import type { ChainChange, ProcessResult } from './chainTypes.js';

/**
 * Makes `target` the tip. If a branch block breaks a rule, the chain goes
 * back to `startTip` unless the valid part of the branch has more work, and
 * the error is thrown with the net change in its meta (ChainChange).
 */
export async function activate(
  host: ChainHost, target: BlockIndexEntry, branch?: BlockIndexEntry[], startTip: BlockIndexEntry = host.requireTip(),
): Promise<ProcessResult> {
  const before = host.requireTip();
  const step = await reorgTo(host, target, branch);
  if (!step.failure) {
    await host.db.clearReorg();
    host.emit('tip', host.tip!);
    return { status: step.disconnected.length > 0 ? 'reorg' : 'connected', hash: target.hash, height: target.height, ...step };
  }
  const { entry, err } = step.failure;
  if (host.tip!.work <= startTip.work && !bytesEqual(host.tip!.hash, startTip.hash)) {
    const back = await reorgTo(host, startTip);
    if (back.failure) throw new StorageError('db-corrupt', `block ${hashToHex(back.failure.entry.hash)} was valid before and is not now: ${back.failure.err.message}`);
  }
  await host.db.clearReorg();
  const change = await changeBetween(host, before, host.tip!);
  if (change.tipChanged) host.emit('tip', host.tip!);
  throw new ValidationError(err.code, `block ${hashToHex(entry.hash)} at height ${entry.height}: ${err.message}`, err.banScore, { ...err.meta, ...change });
}

/** One pass toward `target`; stops at the first invalid block, which it marks. */
export async function reorgTo(host: ChainHost, target: BlockIndexEntry, branch?: BlockIndexEntry[]): Promise<{
  connected: Block[]; disconnected: Block[]; failure?: { entry: BlockIndexEntry; err: ValidationError };
}> {
  const path = branch ?? await host.tree.branchFrom(target);
  const fork = path.length > 0 ? await host.tree.must(path[0]!.header.prevHash) : target;
  const disconnected: Block[] = [];
  while (!bytesEqual(host.tip!.hash, fork.hash)) disconnected.push(await disconnectTip(host));
  const connected: Block[] = [];
  for (let i = 0; i < path.length; i++) {
    // The cache holds the freshest status (a block connected once is 'valid').
    const e = (await host.tree.get(path[i]!.hash)) ?? path[i]!;
    const block = await host.mustGetBlock(e.hash);
    try {
      await (await host.connectTip(block, e, blockTxids(block, host.hashers))).durable;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const blockErr = asBlockError(err);
      await markFailed(host, path.slice(i));
      host.reject(e.hash, blockErr);
      return { connected, disconnected, failure: { entry: e, err: blockErr } };
    }
    connected.push(block);
  }
  return { connected, disconnected };
}

/** The net main-chain change from tip `from` to tip `to` (both still in the index). */
async function changeBetween(host: ChainHost, from: BlockIndexEntry, to: BlockIndexEntry): Promise<ChainChange> {
  if (bytesEqual(from.hash, to.hash)) return { tipChanged: false, connected: [], disconnected: [] };
  const left: BlockIndexEntry[] = [];
  const right: BlockIndexEntry[] = [];
  let a = from;
  let b = to;
  while (!bytesEqual(a.hash, b.hash)) {
    if (a.height >= b.height) { left.push(a); a = await host.tree.must(a.header.prevHash); }
    else { right.push(b); b = await host.tree.must(b.header.prevHash); }
  }
  const blocks = (es: BlockIndexEntry[]): Promise<Block[]> => Promise.all(es.map((e) => host.mustGetBlock(e.hash)));
  return { tipChanged: true, disconnected: await blocks(left), connected: await blocks(right.reverse()) };
}

/** The first entry broke a rule ('failed'); the rest descend from it ('failed-child'). */
export async function markFailed(host: ChainHost, entries: BlockIndexEntry[]): Promise<void> {
  const failed = entries.map((e, i): BlockIndexEntry => ({ ...e, status: i === 0 ? 'failed' : 'failed-child' }));
  for (const e of failed) host.tree.remember(e);
  await host.db.putIndexEntries(failed);
}

export async function disconnectTip(host: ChainHost): Promise<Block> {
  const tip = host.requireTip();
  if (tip.height <= host.params.genesisHeight) throw new PubchainError('genesis-disconnect', 'the genesis block cannot be disconnected');
  const block = await host.mustGetBlock(tip.hash);
  const undo = await host.db.getUndo(tip.hash);
  if (!undo) throw new StorageError('db-corrupt', `undo data of block ${hashToHex(tip.hash)} is missing`);
  const parent = await host.tree.must(tip.header.prevHash);
  await host.db.disconnect(tip, block, blockTxids(block, host.hashers), undo);
  host.tip = parent;
  host.tree.unsetMain(tip.height);
  host.emit('disconnect', block, tip.height);
  return block;
}

/**
 * The process died part-way through a reorganisation: go on to the target,
 * or, when it is known invalid by now, back to the tip we started from.
 */
export async function resumeReorg(host: ChainHost, best: { target: Uint8Array; left: Uint8Array }): Promise<void> {
  const tip = host.requireTip();
  const target = await host.tree.get(best.target);
  const startTip = (await host.tree.get(best.left)) ?? tip;
  const goal = [target, startTip].find((e): e is BlockIndexEntry => e !== null && !isFailed(e) && e.work > tip.work);
  if (!goal) {
    await host.db.clearReorg();
    return;
  }
  try {
    await activate(host, goal, undefined, startTip);
  } catch (e) {
    // An invalid branch is marked failed and the chain settles: that is no reason to refuse to open.
    if (!(e instanceof ValidationError)) throw e;
  }
}

/** Inside a block an unknown input is not "missing context" but an invalid block. */
export function asBlockError(e: ValidationError): ValidationError {
  if (e.code === 'missing-inputs') return new ValidationError('bad-txns-inputs-missingorspent', e.message, 100, e.meta);
  return e;
}
