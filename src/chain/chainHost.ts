// What the reorganisation (reorg.ts) and recovery (recovery.ts) code needs from
// the Chain: its state, its database and its one connect step. The Chain hands
// them this view of itself; they decide nothing the Chain does not.
import type { Block } from '../core/block.js';
import type { ValidationError } from '../core/errors.js';
import type { BatchHashers } from '../core/hash.js';
import type { NetworkParams } from '../core/params.js';
import type { WriteBatch } from '../storage/kvStore.js';
import type { BlockIndexEntry } from './blockIndex.js';
import type { BlockTree } from './blockTree.js';
import type { ChainStore } from './chainStore.js';

/** A connected block's batch on its way to disk, and the tip it makes. */
export type Durable = Promise<void> & { entry: BlockIndexEntry };

export interface ChainHost {
  readonly params: NetworkParams;
  readonly db: ChainStore;
  readonly tree: BlockTree;
  /** Batched SHA256d for a block's txids and sighashes (ChainOptions.sha256dSpans). */
  readonly hashers: BatchHashers;
  /** The main-chain tip: moved by connectTip and disconnectTip. */
  tip: BlockIndexEntry | null;
  genesisHash: Uint8Array | null;
  requireTip(): BlockIndexEntry;
  mustGetBlock(hash: Uint8Array): Promise<Block>;
  /** Connects `block`, whose parent is the tip, in one batch that starts with `head` (Chain.connectTip). */
  connectTip(block: Block, entry: BlockIndexEntry, txids: Uint8Array[], head?: WriteBatch): Promise<{ durable: Durable }>;
  /** Remembers a block as invalid, so it is refused again without work. */
  reject(hash: Uint8Array, err: ValidationError): ValidationError;
  /** Emits a chain event; a listener's error is only warned about. */
  emit(event: string, ...args: unknown[]): void;
}
