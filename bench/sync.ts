// Sync throughput between two node processes over loopback: a source node
// holding N regtest blocks and a fresh node that downloads them. The
// reference, measured in the same run, is connecting the same blocks
// in-process on RocksDB with no network, submitted as sync submits them
// (bench/submitBlocks.ts): the ratio says what the wire, framing and
// download scheduling cost on top of block validation.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, NodeProcess, type NodeDef } from '../test/helpers/cliProcess.js';
import { Chain } from '../src/chain/chain.js';
import { REGTEST } from '../src/core/params.js';
import { RocksStore } from '../src/storage/rocksStore.js';
import { buildChain, testKey } from '../test/helpers/chainFixtures.js';
import { submitBlocks } from './submitBlocks.js';
import type { BenchModuleOutput, BenchOptions } from './types.js';
import { EV, eventPattern } from '../src/node/logEvents.js';

function now(): number { return Number(process.hrtime.bigint()) / 1e9; }

export async function benchSync(opts: BenchOptions): Promise<BenchModuleOutput> {
  const n = opts.quick ? 3000 : 10_000;
  const root = await mkdtemp(join(tmpdir(), 'pubchain-bench-sync-'));
  const nodes: NodeProcess[] = [];
  try {
    const blocks = buildChain(null, n, testKey(11));
    const srcDir = join(root, 'source');
    // The source node's database is the reference run's: the same blocks, connected in-process.
    const chain = await Chain.open(await RocksStore.open(join(srcDir, 'chain')), REGTEST);
    let localRate: number;
    try {
      await chain.initGenesis(blocks[0]!.block);
      const t0 = now();
      await submitBlocks(chain, blocks.slice(1).map((b) => b.block));
      localRate = (n - 1) / (now() - t0);
    } finally {
      await chain.close();
    }

    const mk = async (role: string, datadir: string): Promise<NodeDef> => {
      const port = await freePort();
      return { role, id: String(port), port, datadir, network: 'regtest' };
    };
    const src = await mk('source', srcDir);
    const dst = await mk('fresh', join(root, 'fresh'));
    const source = NodeProcess.start(src, ['--listen-only']);
    nodes.push(source);
    await source.waitForLog(eventPattern(EV.listening), 30_000);
    const fresh = NodeProcess.start(dst, ['--connect', `127.0.0.1:${src.port}`]);
    nodes.push(fresh);
    // Clock from the genesis (first tip, adopted from the peer) to the last block.
    await fresh.waitForHeight(1, 30_000);
    const s0 = now();
    await fresh.waitForHeight(n, 300_000);
    const syncRate = (n - 1) / (now() - s0);
    return {
      results: [
        { name: 'sync.blocksPerSec', value: syncRate, unit: 'blocks/s', reference: 'sync.localConnect.blocksPerSec', ratio: syncRate / localRate },
        { name: 'sync.localConnect.blocksPerSec', value: localRate, unit: 'blocks/s' },
      ],
    };
  } finally {
    for (const p of nodes) await p.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}
