// Opening the chain, and finishing on open whatever a crash interrupted: the
// recovery markers ("reindex", "best": src/storage/layout.ts) name a job under
// way, and the job is run again (a reindex) or resumed (a reorganisation).
// The UTXO set can also be rebuilt on demand from the stored main-chain blocks.
// An address index left mid-build ("addrindex" = building) is finished here;
// one left deferred stays so until its owner builds it (addressIndex.ts).
import { blockTxids } from '../core/block.js';
import { PubchainError } from '../core/errors.js';
import { StorageError } from '../storage/errors.js';
import type { ChainHost } from './chainHost.js';
import { checkConnect } from './connectBlock.js';
import { resumeReorg } from './reorg.js';

/** Reads the chain's state from the database (refusing another network's or another layout's) and recovers. */
export async function loadChain(host: ChainHost): Promise<void> {
  const meta = await host.db.open();
  if (meta.network !== null && meta.network !== host.params.name) {
    throw new PubchainError('wrong-network', `this database holds a ${meta.network} chain, not ${host.params.name}`, { network: meta.network });
  }
  await host.tree.loadKnown();
  if (!meta.tip) return;
  host.genesisHash = meta.genesis;
  host.tip = await host.tree.must(meta.tip);
  if (meta.reindex) await rebuildUtxo(host);
  if (meta.best) await resumeReorg(host, meta.best);
  if (host.db.addressIndex.state === 'building') await buildAddressIndex(host);
}

/** Builds the whole address index from the coins in steps (nothing else may connect meanwhile). */
export async function buildAddressIndex(host: ChainHost): Promise<void> {
  for (let first = true; !(await host.db.addressIndex.buildStep(first)); first = false);
}

/**
 * Rebuilds the UTXO set and undo data from the stored main-chain blocks, then
 * the address index from the coins, and checks that index against them.
 */
export async function rebuildUtxo(host: ChainHost): Promise<void> {
  const tip = host.requireTip();
  await host.db.beginReindex(host.params.genesisHeight);
  for (let height = host.params.genesisHeight; height <= tip.height; height++) {
    const [hash] = await host.tree.hashesAt([height]);
    const block = await host.mustGetBlock(hash!);
    const checked = await checkConnect(host.db.utxo, block, blockTxids(block, host.hashers), height, host.params, [], host.hashers);
    await host.db.reindexBlock(checked, hash!);
  }
  await host.db.endReindex();
  await buildAddressIndex(host);
  const check = await host.db.checkAddressIndex();
  if (!check.equal) {
    throw new StorageError('db-corrupt', `the rebuilt address index does not match the coins (${check.entries} entries for ${check.coins} coins)`, { ...check });
  }
}
