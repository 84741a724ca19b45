// gettxoutproof / verifytxoutproof over real HTTP against an in-process node,
// and `pubchain verifytxoutproof` checking a proof against the stored header chain.
import assert from 'node:assert/strict';
import test from 'node:test';
import { fromHex, hashToHex, toHex } from '../src/core/bytes.js';
import { txid } from '../src/core/tx.js';
import { createLogger } from '../src/node/logger.js';
import { rpcCall, readCookie, RpcCallError } from '../src/rpc/client.js';
import { rpcContextOf } from '../src/rpc/context.js';
import { startRpcServer } from '../src/rpc/server.js';
import { runCli } from './helpers/cliProcess.js';
import { buildBlock, buildChain, signedTx, testKey } from './helpers/chainFixtures.js';
import { startTestNode, writeChain } from './helpers/nodeHarness.js';
import { tempDir } from './helpers/tempDir.js';

const log = createLogger({ level: 'silent', format: 'json' });
const alice = testKey(31);
const bob = testKey(32);
const base = buildChain(null, 5, alice);
const pays = base.slice(0, 4).map((b, i) => signedTx([b.reward], [{ value: b.reward.value - i, pubKeyHash: bob.pkh }]));
const full = buildBlock({ parent: base.at(-1)!, key: alice, txs: pays });
const side = buildBlock({ parent: base.at(-1)!, key: bob, extraNonce: 7 });
const CHAIN = [...base, full];
const ids = full.block.txs.map((t) => hashToHex(txid(t)));

test('proofs of transactions in a block verify against the main chain; tampered or off-chain ones do not', { timeout: 120_000 }, async () => {
  const t = await tempDir('proofs');
  await writeChain(t.dir, CHAIN);
  const node = await startTestNode(t.dir, { verifyThreads: 1 });
  const server = await startRpcServer({ node: rpcContextOf(node, { requestStop: () => undefined }), port: 0, datadir: t.dir, log });
  const auth = await readCookie(t.dir);
  const call = <T>(method: string, params: unknown[]): Promise<T> => rpcCall(server.port, auth, method, params) as Promise<T>;
  const failure = async (method: string, params: unknown[]): Promise<{ code: number; message: string }> => {
    try { await call(method, params); } catch (e) { if (e instanceof RpcCallError) return { code: e.rpcCode, message: e.message }; throw e; }
    return assert.fail(`${method} should fail`);
  };
  let stopped = false;
  try {
    assert.equal((await node.chain.processBlock(side.block)).status, 'side');
    const proof = await call<string>('gettxoutproof', [[ids[4], ids[2]], hashToHex(full.hash)]);
    assert.deepEqual(await call('verifytxoutproof', [proof]), [ids[2], ids[4]], 'in block order');
    // Without the block hash: found from an unspent output of the transaction.
    const found = await call<string>('gettxoutproof', [[ids[1]]]);
    assert.deepEqual(await call('verifytxoutproof', [found]), [ids[1]]);
    const coinbaseProof = await call<string>('gettxoutproof', [[ids[0]], hashToHex(full.hash)]);
    assert.ok(coinbaseProof.length < proof.length + 200);

    // A changed tree hash no longer reaches the header's Merkle root: it proves nothing.
    const bytes = fromHex(proof);
    bytes[80 + 4 + 1 + 3]! ^= 0x40;
    assert.deepEqual(await call('verifytxoutproof', [toHex(bytes)]), []);
    // A changed header names a block we do not have.
    const header = fromHex(proof);
    header[40]! ^= 1;
    assert.equal((await failure('verifytxoutproof', [toHex(header)])).code, -5);
    // A block off the main chain proves nothing about the chain.
    const sideProof = await call<string>('gettxoutproof', [[hashToHex(txid(side.block.txs[0]!))], hashToHex(side.hash)]);
    assert.deepEqual(await failure('verifytxoutproof', [sideProof]), { code: -5, message: 'Block not found in chain' });

    assert.equal((await failure('verifytxoutproof', [proof.slice(0, -2)])).code, -8, 'truncated');
    assert.equal((await failure('verifytxoutproof', ['zz'])).code, -8);
    assert.equal((await failure('gettxoutproof', [[ids[1], ids[1]], hashToHex(full.hash)])).code, -8, 'duplicated txid');
    assert.deepEqual(await failure('gettxoutproof', [[ids[1]], hashToHex(base[1]!.hash)]), { code: -5, message: 'Not all transactions found in specified or retrieved block' });
    assert.equal((await failure('gettxoutproof', [['00'.repeat(32)]])).code, -5, 'unknown txid, no block hash');

    // The CLI checks a proof against the node's stored header chain.
    await server.close();
    await node.stop();
    stopped = true;
    const args = ['--datadir', t.dir, '--network', 'regtest'];
    const ok = await runCli(['verifytxoutproof', proof, '--json', ...args]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { valid: true, txids: [ids[2], ids[4]] });
    const bad = await runCli(['verifytxoutproof', toHex(bytes), ...args]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /proves nothing/);
    const off = await runCli(['verifytxoutproof', sideProof, ...args]);
    assert.notEqual(off.code, 0);
    assert.match(off.stderr, /Block not found in chain/);
  } finally {
    if (!stopped) { await server.close(); await node.stop(); }
    await t.cleanup();
  }
});
