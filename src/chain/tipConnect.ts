// Connecting a block on the tip, in the two steps that let the chain pipeline
// blocks (pipeline.ts): `prepareConnect` checks the block against the UTXO set
// (as its parents leave it, when they are prepared but not yet connected),
// posts its signatures to the verifier and builds its batch, writing nothing;
// `commitConnect` waits for the signatures, then connects it: the batch is
// written behind and the tip moves.
import { Block } from '../core/block.js';
import { ConnectResult } from '../core/validate.js';
import { WriteBatch } from '../storage/kvStore.js';
import { AssumeValid } from './assumeValid.js';
import { BlockIndexEntry } from './blockIndex.js';
import type { ChainHost, Durable } from './chainHost.js';
import { SigBatchVerifier } from './chainTypes.js';
import { checkConnect } from './connectBlock.js';
import { FilterIndex } from './filterIndex.js';

/**
 * Connected blocks whose batches may be unwritten at once: enough to hide a
 * write behind validation, few enough to keep memory small. The blocks
 * prepared ahead of the tip (pipeline.ts, MAX_AHEAD) may add theirs as they connect.
 */
const MAX_UNWRITTEN = 8;

export interface ConnectSteps {
  host: ChainHost;
  verifySigs: SigBatchVerifier;
  assumeValid: AssumeValid;
  filterIndex: FilterIndex | null;
}

/** A block checked against the UTXO set, its batch built and its signatures posted, not yet connected. */
export interface Prepared {
  block: Block;
  entry: BlockIndexEntry;
  checked: ConnectResult;
  batch: WriteBatch;
  verifying: Promise<void> | null;
  started: number;
}

export async function prepareConnect(
  s: ConnectSteps, block: Block, entry: BlockIndexEntry, txids: Uint8Array[], head: WriteBatch, parents: readonly ConnectResult[] = [],
): Promise<Prepared> {
  const { db, params } = s.host;
  await db.room(MAX_UNWRITTEN - 1);
  const started = performance.now();
  const checked = await checkConnect(db.utxo, block, txids, entry.height, params, parents, s.host.hashers);
  // A block connected once is valid on its parent's UTXO state, which is always the same state;
  // an ancestor of the assumed-valid block has its signatures taken on trust (assumeValid.ts).
  // Otherwise they are verified (on the pool's threads) while this thread builds the batch.
  const trusted = entry.status === 'valid' || (s.assumeValid.enabled && await s.assumeValid.covers(entry));
  const verifying = trusted ? null : (async () => s.verifySigs(checked.sigChecks))();
  verifying?.catch(() => undefined);
  const batch = db.connectBatch(head, checked, entry.hash);
  return { block, entry, checked, batch, verifying, started };
}

/** Connects a prepared block once its signatures pass; its parent must be the tip by then. */
export async function commitConnect(s: ConnectSteps, p: Prepared): Promise<{ durable: Durable }> {
  const { host } = s;
  await s.filterIndex?.extend(p.batch, p.block, p.entry.hash, p.checked.spent);
  if (p.verifying) await p.verifying;
  const valid: BlockIndexEntry = { ...p.entry, status: 'valid' };
  const durable: Durable = Object.assign(host.db.commitConnect(p.batch, valid), { entry: valid });
  // The caller awaits it; meanwhile a failure must not count as unhandled (the store announces it).
  durable.catch(() => undefined);
  host.tip = valid;
  host.tree.remember(valid);
  host.tree.setMain(valid.height, valid.hash);
  host.emit('connect', p.block, valid.height, performance.now() - p.started);
  return { durable };
}
