// getblocktemplate / submitblock / getstratuminfo on a real in-process regtest
// node over real HTTP: a block built from the template JSON alone is accepted
// and pays its address; bitcoind's answers for duplicates and broken blocks;
// a long poll that returns on the new tip.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashToHex } from '../src/core/bytes.js';
import { encodeAddress } from '../src/crypto/address.js';
import { createLogger } from '../src/node/logger.js';
import type { PubchainNode } from '../src/node/node.js';
import { startStratum } from '../src/node/stratumWiring.js';
import type { StratumServer } from '../src/mining/stratum/server.js';
import { rpcCall, readCookie, type Credentials } from '../src/rpc/client.js';
import { rpcContextOf } from '../src/rpc/context.js';
import { startRpcServer, type RpcServer } from '../src/rpc/server.js';
import { buildChain, testKey } from './helpers/chainFixtures.js';
import { blockFromTemplate, type Gbt } from './helpers/gbtBlock.js';
import { eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { StratumClient } from './helpers/stratumClient.js';
import { tempDir } from './helpers/tempDir.js';

const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });
const PKH = new Uint8Array(20).fill(3);
const ADDRESS = encodeAddress(PKH);

describe('getblocktemplate and submitblock', () => {
  let node: PubchainNode;
  let stratum: StratumServer;
  let server: RpcServer;
  let auth: Credentials;
  let cleanup: () => Promise<void>;
  const call = <T = any>(method: string, params: unknown[] = []): Promise<T> => rpcCall<T>(server.port, auth, method, params);

  before(async () => {
    const t = await tempDir('rpc-mining');
    cleanup = t.cleanup;
    await writeChain(t.dir, buildChain(null, 3, testKey(6)));
    node = await startTestNode(t.dir, { verifyThreads: 1 });
    stratum = await startStratum(node, { port: 0 }, log);
    server = await startRpcServer({ node: { ...rpcContextOf(node, { requestStop: () => undefined }), stratum }, port: 0, datadir: t.dir, log });
    auth = await readCookie(t.dir);
  });
  after(async () => { await server.close(); await stratum.close(); await node.stop(); await cleanup(); });

  test('a block built from the template alone is accepted, lands and pays its address', async () => {
    const t = await call<Gbt & Record<string, unknown>>('getblocktemplate', [{ rules: ['segwit', 'nosuchrule'] }]);
    for (const k of ['version', 'previousblockhash', 'transactions', 'coinbasevalue', 'target', 'mintime', 'curtime', 'bits', 'height', 'mutable', 'noncerange', 'longpollid']) {
      assert.ok(k in t, k);
    }
    assert.equal(t.previousblockhash, hashToHex(node.chain.tip!.hash));
    assert.equal(t.height, node.chain.tip!.height + 1);
    assert.equal(t.noncerange, '00000000ffffffff');
    const block = blockFromTemplate(t, ADDRESS);
    assert.equal(await call('submitblock', [block.toString('hex')]), null);
    assert.equal(node.chain.tip!.height, t.height);
    const tip = await node.chain.getBlock(node.chain.tip!.hash);
    assert.deepEqual(Buffer.from(tip!.txs[0]!.outputs[0]!.pubKeyHash), Buffer.from(PKH));
    assert.equal(tip!.txs[0]!.outputs[0]!.value, t.coinbasevalue);
    assert.equal(await call('submitblock', [block.toString('hex')]), 'duplicate');
  });

  test('broken blocks get the rule they break', async () => {
    const t = await call<Gbt>('getblocktemplate');
    assert.equal(await call('submitblock', [blockFromTemplate(t, ADDRESS, { wantHighHash: true, extraNonce: 1 }).toString('hex')]), 'high-hash');
    assert.equal(await call('submitblock', [blockFromTemplate(t, ADDRESS, { badRoot: true, extraNonce: 2 }).toString('hex')]), 'bad-txnmrklroot');
    assert.equal(await call('submitblock', [blockFromTemplate({ ...t, coinbasevalue: t.coinbasevalue + 1 }, ADDRESS, { extraNonce: 3 }).toString('hex')]), 'bad-cb-amount');
    const orphan = blockFromTemplate({ ...t, previousblockhash: 'ab'.repeat(32) }, ADDRESS, { extraNonce: 4 });
    assert.equal(await call('submitblock', [orphan.toString('hex')]), 'prev-blk-not-found');
    await assert.rejects(call('submitblock', ['zz']), /decode/i);
  });

  test('a long poll returns once the tip moves', async () => {
    const t = await call<Gbt & { longpollid: string }>('getblocktemplate');
    const waiting = call<Gbt>('getblocktemplate', [{ longpollid: t.longpollid }]);
    let done = false;
    void waiting.then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(done, false);
    assert.equal(await call('submitblock', [blockFromTemplate(t, ADDRESS, { extraNonce: 9 }).toString('hex')]), null);
    const next = await waiting;
    assert.equal(next.previousblockhash, hashToHex(node.chain.tip!.hash));
    assert.equal(next.height, t.height + 1);
  });

  test('getstratuminfo and getmininginfo show the Stratum server', async () => {
    const c = await StratumClient.open(stratum.port);
    await c.subscribe();
    await c.request('mining.authorize', [`${ADDRESS}.gbt`, 'x']);
    await c.until('a job', () => c.notifies.length > 0);
    await eventually('the worker to show', async () => (await call('getstratuminfo')).workers.length === 1);
    const info = await call('getstratuminfo');
    assert.equal(info.connections, 1);
    assert.equal(info.workers[0].address, ADDRESS);
    assert.deepEqual(info.workers[0].workers, [`${ADDRESS}.gbt`]);
    assert.ok('accepted' in info.shares && 'duplicate' in info.shares.rejected);
    assert.ok(info.notifydelayms.count >= 1);
    const mining = await call('getmininginfo');
    assert.equal(mining.stratum.connections, 1);
    c.close();
  });
});
