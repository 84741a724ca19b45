// The Stratum v1 server on a real in-process regtest node, over real TCP: a
// client that builds headers as cpuminer does mines blocks that land on the
// chain and pay the authorised address; every submit error code; distinct
// extranonce1 values; hostile lines, floods and idle connections.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashToHex } from '../src/core/bytes.js';
import { encodeAddress } from '../src/crypto/address.js';
import { createLogger } from '../src/node/logger.js';
import type { PubchainNode } from '../src/node/node.js';
import { startStratum } from '../src/node/stratumWiring.js';
import type { StratumServer } from '../src/mining/stratum/server.js';
import type { StratumOptions } from '../src/mining/stratum/options.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { buildHeader, hashValue, shareTarget, StratumClient, type Notify } from './helpers/stratumClient.js';
import { tempDir } from './helpers/tempDir.js';

const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });
const PAYOUT = new Uint8Array(20).fill(7);
const ADDRESS = encodeAddress(PAYOUT);
const OTHER = encodeAddress(new Uint8Array(20).fill(9));

interface Rig { node: PubchainNode; stratum: StratumServer; cleanup: () => Promise<void> }

async function rig(tag: string, opts: Partial<StratumOptions> = {}): Promise<Rig> {
  const t = await tempDir(tag);
  await writeChain(t.dir, buildChain(null, 3, testKey(5)));
  const node = await startTestNode(t.dir, { verifyThreads: 1 });
  const stratum = await startStratum(node, { port: 0, ...opts }, log);
  return {
    node, stratum,
    cleanup: async () => { await stratum.close(); await node.stop(); await t.cleanup(); },
  };
}

async function miner(r: Rig, user = ADDRESS): Promise<StratumClient> {
  const c = await StratumClient.open(r.stratum.port);
  await c.subscribe();
  const auth = await c.request('mining.authorize', [user, 'x']);
  assert.equal(auth.result, true);
  await c.until('first job', () => c.notifies.length > 0);
  return c;
}

/** A share for the newest job: meeting the share target, or (low) failing it. */
function findShare(c: StratumClient, en2: string, low = false, job: Notify = c.job!): { job: Notify; nonce: number } {
  const target = shareTarget(c.jobDifficulty.get(job.jobId)!);
  for (let nonce = 0; nonce < 1 << 16; nonce++) {
    const ok = hashValue(buildHeader(job, c.extranonce1, en2, job.ntime, nonce)) <= target;
    if (ok !== low) return { job, nonce };
  }
  throw new Error('no share found');
}

describe('stratum server', () => {
  let r: Rig;
  before(async () => { r = await rig('stratum-main'); });
  after(async () => { await r.cleanup(); });

  test('the subscribe reply is the next line; set_difficulty comes before the first notify', async () => {
    const c = await StratumClient.open(r.stratum.port);
    const sub = await c.subscribe();
    assert.equal(c.lines.length, 1);
    assert.deepEqual(c.lines[0], sub);
    const [subs, en1, size] = sub.result as [unknown[], string, number];
    assert.ok(Array.isArray(subs));
    assert.match(en1, /^[0-9a-f]{8}$/);
    assert.equal(size, 4);
    await c.request('mining.authorize', [`${ADDRESS}.rig1`, 'x']);
    await c.until('first job', () => c.notifies.length > 0);
    const methods = c.lines.map((l) => (l as { method?: string }).method).filter(Boolean);
    assert.deepEqual(methods.slice(0, 2), ['mining.set_difficulty', 'mining.notify']);
    assert.equal(c.job!.clean, true);
    c.close();
  });

  test('blocks mined through Stratum land on the chain and pay the authorised address', async () => {
    const c = await miner(r, `${ADDRESS}.w1`);
    const startHeight = r.node.chain.tip!.height;
    for (let i = 0; i < 3; i++) {
      const seen = c.notifies.length;
      const { job, nonce } = findShare(c, `0000000${i}`);
      const reply = await c.submit(`${ADDRESS}.w1`, job.jobId, `0000000${i}`, job.ntime, nonce);
      assert.deepEqual(reply.error, null, JSON.stringify(reply));
      assert.equal(reply.result, true);
      await c.until('a clean job on the new tip', () => c.notifies.length > seen && c.job!.clean && c.job!.prevhash !== job.prevhash);
    }
    await eventually('three new blocks', () => r.node.chain.tip!.height === startHeight + 3);
    const tip = await r.node.chain.getBlock(r.node.chain.tip!.hash);
    assert.deepEqual(Buffer.from(tip!.txs[0]!.outputs[0]!.pubKeyHash), Buffer.from(PAYOUT));
    // The prevhash of the newest job is the tip, word-swapped as cpuminer expects.
    const words = Buffer.from(c.job!.prevhash, 'hex');
    const swapped = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 4) for (let j = 0; j < 4; j++) swapped[i + j] = words[i + 3 - j]!;
    assert.equal(Buffer.from(swapped).reverse().toString('hex'), hashToHex(r.node.chain.tip!.hash));
    const info = r.stratum.info();
    assert.ok(info.blocksfound >= 3);
    assert.ok(info.workers.some((w) => w.address === ADDRESS && w.workers.includes(`${ADDRESS}.w1`)));
    c.close();
  });

  test('each submit error code, as [code, message, null]', async () => {
    const bare = await StratumClient.open(r.stratum.port);
    const e25 = await bare.submit(ADDRESS, '1', '00000000', '00000000', 0);
    assert.equal((e25.error as unknown[])[0], 25);
    bare.close();

    const c = await miner(r);
    const job = c.job!;
    const e24 = await c.submit(`${OTHER}.nope`, job.jobId, '00000000', job.ntime, 0);
    assert.equal((e24.error as unknown[])[0], 24);
    const e21 = await c.submit(ADDRESS, 'ffffffff', '00000000', job.ntime, 0);
    assert.deepEqual(e21.error, [21, 'job not found', null]);
    const low = findShare(c, '000000aa', true);
    const e23 = await c.submit(ADDRESS, low.job.jobId, '000000aa', low.job.ntime, low.nonce);
    assert.equal((e23.error as unknown[])[0], 23);
    const e20 = await c.submit(ADDRESS, job.jobId, 'zz', job.ntime, 0);
    assert.equal((e20.error as unknown[])[0], 20);
    const good = findShare(c, '000000bb');
    const ok = await c.submit(ADDRESS, good.job.jobId, '000000bb', good.job.ntime, good.nonce);
    assert.equal(ok.result, true);
    const e22 = await c.submit(ADDRESS, good.job.jobId, '000000bb', good.job.ntime, good.nonce);
    assert.equal((e22.error as unknown[])[0], 22);
    // That share was a block: the job it came from is now of an old tip.
    await c.until('a job on the new tip', () => c.job!.prevhash !== good.job.prevhash);
    const old = findShare(c, '000000cc', false, good.job);
    const e21s = await c.submit(ADDRESS, good.job.jobId, '000000cc', good.job.ntime, old.nonce);
    assert.equal((e21s.error as unknown[])[0], 21);
    assert.match((e21s.error as unknown[])[1] as string, /stale/);
    const info = r.stratum.info();
    for (const reason of ['duplicate', 'low-difficulty', 'unauthorized', 'not-subscribed', 'job-not-found', 'stale', 'other'] as const) {
      assert.ok(info.shares.rejected[reason] >= 1, reason);
    }
    c.close();
  });

  test('an invalid payout address is refused with result false and a reason', async () => {
    const c = await StratumClient.open(r.stratum.port);
    await c.subscribe();
    const reply = await c.request('mining.authorize', ['not-an-address.w', 'x']);
    assert.equal(reply.result, false);
    assert.match(JSON.stringify(reply.error), /address/);
    c.close();
  });

  test('two miners get distinct extranonce1 values and distinct coinbases', async () => {
    const [a, b] = await Promise.all([miner(r), miner(r)]);
    assert.notEqual(a.extranonce1, b.extranonce1);
    const ha = buildHeader(a.job!, a.extranonce1, '00000000', a.job!.ntime, 0);
    const hb = buildHeader(b.job!, b.extranonce1, '00000000', b.job!.ntime, 0);
    assert.notDeepEqual(ha, hb);
    a.close();
    b.close();
  });

  test('malformed JSON gets an error reply and the connection keeps serving', async () => {
    const c = await StratumClient.open(r.stratum.port);
    c.writeRaw('{"id": 1, "method": \n');
    c.writeRaw('[1,2,3]\n');
    await c.until('two error replies', () => c.lines.length >= 2);
    for (const l of c.lines.slice(0, 2)) assert.equal(((l as { error: unknown[] }).error)[0], 20);
    const sub = await c.subscribe();
    assert.equal(sub.error, null);
    c.close();
  });

  test('a line above the cap closes that connection only; the node keeps serving', async () => {
    const c = await StratumClient.open(r.stratum.port);
    c.writeRaw('x'.repeat(64 * 1024));
    await c.until('the connection to close', () => c.closed);
    const d = await miner(r);
    assert.ok(d.job);
    assert.ok(r.node.chain.tip);
    d.close();
  });
});

describe('stratum server limits', () => {
  let r: Rig;
  before(async () => { r = await rig('stratum-limits', { maxConnections: 3, subscribeTimeoutMs: 300, submitBurst: 5, submitsPerSecond: 0.001 }); });
  after(async () => { await r.cleanup(); });

  test('a connection that never subscribes is closed after the timeout', async () => {
    const c = await StratumClient.open(r.stratum.port);
    await c.until('the idle connection to close', () => c.closed, 10_000);
  });

  test('submits are bounded per connection', async () => {
    const c = await miner(r);
    const codes: unknown[] = [];
    for (let i = 0; i < 7; i++) codes.push(((await c.submit(ADDRESS, 'ffff', '00000000', c.job!.ntime, i)).error as unknown[])[0]);
    assert.deepEqual(codes.slice(0, 5), [21, 21, 21, 21, 21]);
    assert.deepEqual(codes.slice(5), [20, 20]);
    c.close();
  });

  test('the connection count is capped', async () => {
    await eventually('earlier connections to go', () => r.stratum.info().connections === 0);
    const held = await Promise.all([miner(r), miner(r), miner(r)]);
    const extra = await StratumClient.open(r.stratum.port);
    await extra.until('the extra connection to be refused', () => extra.closed, 10_000);
    assert.match(JSON.stringify(extra.lines), /too many connections/);
    for (const h of held) h.close();
  });
});
