// Opening the chain, and finishing on open whatever a crash interrupted: the
// recovery markers ("reindex", "best": src/storage/layout.ts) name a job under
// way, and the job is run again (a reindex) or resumed (a reorganisation).
// The UTXO set can also be rebuilt on demand from the stored main-chain blocks.
import { blockTxids } from '../core/block.js';
import { PubchainError } from '../core/errors.js';
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
}

/** Rebuilds the UTXO set, address index and undo data from the stored main-chain blocks. */
export async function rebuildUtxo(host: ChainHost): Promise<void> {
  const tip = host.requireTip();
  await host.db.beginReindex();
  for (let height = host.params.genesisHeight; height <= tip.height; height++) {
    const [hash] = await host.tree.hashesAt([height]);
    const block = await host.mustGetBlock(hash!);
    const checked = await checkConnect(host.db.utxo, block, blockTxids(block), height, host.params);
    await host.db.reindexBlock(checked, hash!);
  }
  await host.db.endReindex();
}
