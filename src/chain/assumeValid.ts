// --assumevalid: a block whose signatures the operator takes on trust, as
// Bitcoin Core's -assumevalid. A block that is that block or one of its
// ancestors connects without its signature checks; every other rule (proof of
// work, context, amounts, owners, the UTXO set) is still checked. A block that
// is not below it on its branch, or any block while the assumed-valid block
// is not in the block index, is verified in full (docs/consensus.md,
// "Assumed-valid blocks").
import { bytesEqual, bytesKey } from '../core/bytes.js';
import { BlockIndexEntry, isFailed } from './blockIndex.js';
import type { BlockTree } from './blockTree.js';

export class AssumeValid {
  /** The assumed-valid block's ancestors above the main chain as it was when they were listed, by bytesKey. */
  private branch: Set<string> | null = null;

  constructor(private readonly hash: Uint8Array | null, private readonly tree: BlockTree) {}

  get enabled(): boolean { return this.hash !== null; }

  /**
   * True when `entry` (a block about to connect) is the assumed-valid block
   * or an ancestor of it. The ancestors are listed once, when the block first
   * shows up in the index; a block that joined the main chain before that was
   * already checked, and a block the list misses is only checked in full.
   */
  async covers(entry: BlockIndexEntry): Promise<boolean> {
    const hash = this.hash;
    if (!hash) return false;
    if (bytesEqual(entry.hash, hash)) return true;
    if (!this.branch) {
      if (!this.tree.isKnown(hash)) return false;
      const target = await this.tree.get(hash);
      if (!target || isFailed(target)) return false;
      const branch = await this.tree.branchFrom(target);
      this.branch = new Set(branch.map((e) => bytesKey(e.hash)));
    }
    return this.branch.has(bytesKey(entry.hash));
  }
}
