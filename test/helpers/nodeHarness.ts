// In-process nodes for protocol tests: real RocksDB in temp dirs, real TCP on
// 127.0.0.1 with ephemeral ports. Chains are pre-built with chainFixtures.
import { Chain } from '../../src/chain/chain.js';
import { REGTEST } from '../../src/core/params.js';
import { RocksStore } from '../../src/storage/rocksStore.js';
import { createLogger } from '../../src/node/logger.js';
import { PubchainNode, type NodeConfig } from '../../src/node/node.js';
import type { Built } from './chainFixtures.js';

// The one bounded poll lives in eventually.ts; re-exported for the tests that import it from here.
export { eventually } from './eventually.js';

/** Writes a pre-built chain into `datadir` the way a node stores it. */
export async function writeChain(datadir: string, blocks: Built[]): Promise<void> {
  const chain = await Chain.open(await RocksStore.open(`${datadir}/chain`), REGTEST);
  try {
    if (!chain.tip) await chain.initGenesis(blocks[0]!.block);
    for (const b of blocks.slice(chain.tip!.height)) await chain.processBlock(b.block);
  } finally {
    await chain.close();
  }
}

export async function startTestNode(datadir: string, extra: Partial<NodeConfig> = {}): Promise<PubchainNode> {
  return PubchainNode.start({
    datadir, params: REGTEST, bind: '127.0.0.1', port: 0, connect: [], minTxs: 1, mineAlways: false, threads: 1,
    log: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' }),
    ...extra,
  });
}

export function addressOf(node: PubchainNode): string {
  return `127.0.0.1:${node.network.port}`;
}
