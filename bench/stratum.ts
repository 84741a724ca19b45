// Stratum figures: shares checked per second on one core (coinbase, Merkle
// branch of a 2000-transaction template, header hash, target compare), and the
// delay from a new tip to the last clean job written to 20 connected miners,
// p50 and p99 over 120 tips on a real regtest node over real TCP.
// Run: node dist/bench/stratum.js
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REGTEST } from '../src/core/params.js';
import { NULL_HASH } from '../src/core/tx.js';
import { encodeAddress } from '../src/crypto/address.js';
import { buildJob, checkShare, makeTemplate } from '../src/mining/stratum/jobs.js';
import { createSingleThreadSearcher } from '../src/mining/singleThread.js';
import { BlockTemplate, mineTemplate, type TemplateTx } from '../src/mining/template.js';
import { currentTemplate, startStratum } from '../src/node/stratumWiring.js';
import { createLogger } from '../src/node/logger.js';
import { buildChain, testKey } from '../test/helpers/chainFixtures.js';
import { startTestNode, writeChain } from '../test/helpers/nodeHarness.js';
import { StratumClient } from '../test/helpers/stratumClient.js';
import type { BenchModuleOutput, BenchOptions } from './types.js';

const PKH = new Uint8Array(20).fill(1);

export function sharesPerSecond(seconds: number, txCount = 2000): number {
  const txs: TemplateTx[] = Array.from({ length: txCount }, () => ({ tx: { version: 1, inputs: [], outputs: [] }, txid: randomBytes(32), fee: 0, size: 100 }));
  const base = new BlockTemplate(REGTEST, { height: 10, prevHash: NULL_HASH, bits: 0x1d00ffff, medianTimePast: 0 }, txs, PKH);
  const job = buildJob('1', makeTemplate(1, base), PKH, Uint8Array.of(1, 2, 3, 4), 1);
  const en2 = new Uint8Array(4);
  let n = 0;
  let low = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 500; i++, n++) if (checkShare(job, en2, base.time, n).value > job.shareTarget) low++;
  }
  if (low === 0) throw new Error('every share met difficulty 1: the check cannot be working');
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export async function notifyDelays(tips: number, miners: number): Promise<{ p50: number; p99: number; count: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'pubchain-bench-stratum-'));
  const log = createLogger({ level: 'silent', format: 'json' });
  try {
    await writeChain(dir, buildChain(null, 3, testKey(8)));
    const node = await startTestNode(dir, { verifyThreads: 1 });
    const stratum = await startStratum(node, { port: 0 }, log);
    const searcher = createSingleThreadSearcher();
    const address = encodeAddress(PKH);
    const clients: StratumClient[] = [];
    try {
      for (let i = 0; i < miners; i++) {
        const c = await StratumClient.open(stratum.port);
        await c.subscribe();
        await c.request('mining.authorize', [`${address}.m${i}`, 'x']);
        await c.until('first job', () => c.notifies.length > 0);
        clients.push(c);
      }
      const before = stratum.info().notifydelayms.count;
      for (let i = 0; i < tips; i++) {
        const t = await currentTemplate({ chain: node.chain, mempool: node.mempool, params: REGTEST }, PKH);
        const block = await mineTemplate(t!, searcher);
        const height = node.chain.tip!.height;
        await node.protocol.submitMinedBlock(block!);
        if (node.chain.tip!.height !== height + 1) throw new Error('block did not connect');
        const prev = clients.map((c) => c.notifies.length);
        await Promise.all(clients.map((c, k) => c.until('the clean job', () => c.notifies.length > prev[k]! && c.job!.clean)));
      }
      const d = stratum.info().notifydelayms;
      if (d.count - before < tips) throw new Error(`only ${d.count - before} delays recorded for ${tips} tips`);
      return { p50: d.p50!, p99: d.p99!, count: d.count - before };
    } finally {
      for (const c of clients) c.close();
      await searcher.close();
      await stratum.close();
      await node.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchStratum(opts: BenchOptions): Promise<BenchModuleOutput> {
  const shares = sharesPerSecond(opts.quick ? 1 : 3);
  const delay = await notifyDelays(opts.quick ? 100 : 200, 20);
  return {
    results: [
      { name: 'stratum.sharesPerSec', value: Math.round(shares), unit: 'shares/s' },
      { name: 'stratum.notifyDelay.p50', value: delay.p50, unit: 'ms' },
      { name: 'stratum.notifyDelay.p99', value: delay.p99, unit: 'ms' },
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await benchStratum({ quick: !process.argv.includes('--long') });
  for (const r of out.results) console.log(JSON.stringify(r));
}
