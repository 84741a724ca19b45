// Hostile peers against the light node: a tampering proxy in front of a real
// full node rewrites what it says (filter headers, filters, headers, blocks),
// next to an honest full node; and a scripted peer with a long low-work chain.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bytesEqual, hashToHex } from '../src/core/bytes.js';
import { headerHash, parseHeader } from '../src/core/header.js';
import { hashMeetsTarget, bitsToTarget } from '../src/core/pow.js';
import type { Message } from '../src/p2p/messages.js';
import type { PubchainNode } from '../src/node/node.js';
import { testKey, type Built } from './helpers/chainFixtures.js';
import { mineHeaders, stallingPeer } from './helpers/headerPeers.js';
import { addressOf, eventually, startTestNode, writeChain } from './helpers/nodeHarness.js';
import { chainWithPayments, startLight, tamperProxy, type Tamper } from './helpers/spvHarness.js';
import { tempDir } from './helpers/tempDir.js';

const miner = testKey(11);
const wallet = testKey(12);
const PAY_AT = new Set([4, 17, 25]);

describe('light node against hostile peers', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let full: PubchainNode;
  const chain: Built[] = chainWithPayments(null, 30, miner, wallet, PAY_AT);
  const genesis = chain[0]!.hash;
  let n = 0;

  before(async () => {
    dir = await tempDir('spv-hostile');
    await writeChain(`${dir.dir}/full`, chain);
    full = await startTestNode(`${dir.dir}/full`);
  });
  after(async () => {
    await full?.stop();
    await dir.cleanup();
  });

  /** Syncs a light node from the honest node and a proxy with `t`; checks it ends right and the proxy got dropped. */
  async function syncBeside(t: Tamper, order: 'proxy-first' | 'honest-first' = 'proxy-first', minScore = 100): Promise<void> {
    const proxy = await tamperProxy(full.network.port, genesis, t);
    const peers = order === 'proxy-first' ? [`127.0.0.1:${proxy.port}`, addressOf(full)] : [addressOf(full), `127.0.0.1:${proxy.port}`];
    const { node, sink } = await startLight(`${dir.dir}/light${n++}`, peers, [wallet.pkh]);
    try {
      await eventually('the light node to apply height 30', () => sink.connects().at(-1)?.height === 30, 60_000);
      assert.deepEqual(sink.connects().map((c) => c.hash), chain.map((x) => hashToHex(x.hash)));
      assert.deepEqual(sink.connects().filter((c) => c.body).map((c) => c.height), [...PAY_AT]);
      // Dropped (ban score 100), or for a lesser offence scored on its connection.
      const scored = (): boolean => node.peers().some((p) => p.id.endsWith(`:${proxy.port}`) && p.banScore >= minScore);
      await eventually('the lying proxy to be penalised', () => proxy.closed >= 1 || scored(), 20_000);
    } finally {
      await node.stop();
      await proxy.close();
    }
  }

  const flip = (h: Uint8Array): Uint8Array => { const c = Uint8Array.from(h); c[0] ^= 0xff; return c; };

  it('two peers disagree on filter headers: the block settles it, the liar is dropped and the honest kept', async () => {
    await syncBeside({ toLight: (m) => (m.command === 'cfheaders' ? { ...m, filterHashes: m.filterHashes.map((h, i) => (i === 16 ? flip(h) : h)) } : m) });
  });

  it('a filter that does not match the filter header chain is penalised', async () => {
    // The proxy swaps in another block's filter: well-formed, but not this block's.
    let other: Uint8Array | null = null;
    await syncBeside({ toLight: (m) => {
      if (m.command !== 'cfilter') return m;
      const swap = other ?? m.filter;
      other = m.filter;
      return { ...m, filter: swap };
    } }, 'honest-first');
  });

  it('a malformed filter is penalised', async () => {
    await syncBeside({ toLight: (m) => (m.command === 'cfilter' ? { ...m, filter: Uint8Array.of(200, 0xff, 0xff) } : m) });
  });

  it('malformed cfheaders (a filter hash short) are penalised', async () => {
    await syncBeside({ toLight: (m) => (m.command === 'cfheaders' ? { ...m, filterHashes: m.filterHashes.slice(1) } : m) });
  });

  it('headers with bad proof of work are penalised', async () => {
    await syncBeside({ toLight: (m): Message => {
      if (m.command !== 'headers' || m.headers.length < 2) return m;
      const last = { ...m.headers[m.headers.length - 1]! };
      while (hashMeetsTarget(headerHash(last), bitsToTarget(last.bits))) last.nonce++;
      return { ...m, headers: [...m.headers.slice(0, -1), last] };
    } }, 'proxy-first', 50);
  });

  it('a long chain of low-work headers stays bounded and costs its peer the connection', async () => {
    const g = chain[0]!.block.header;
    const cheap = [g, ...mineHeaders(g, 1500, undefined, 1, 5)];
    const staller = await stallingPeer(cheap, 1n);
    let dropped = 0;
    staller.manager.on('close', () => { dropped++; });
    const { node } = await startLight(`${dir.dir}/light${n++}`, [addressOf(full), `127.0.0.1:${staller.port}`], [wallet.pkh], {
      minimumChainWork: 1n << 40n, maxHeldHeadersPerPeer: 500,
    });
    try {
      await eventually('the low-work peer to be dropped', () => dropped >= 1, 20_000);
      assert.equal(node.headerTip().height, 1, 'no header below the minimum chain work is stored');
      assert.ok(node.progress().heldHeaders <= 500 + chain.length, `held ${node.progress().heldHeaders}`);
    } finally {
      await node.stop();
      await staller.close();
    }
  });

  it('a peer that withholds a block it announced loses the request to another peer', async () => {
    // Every block but the genesis is swallowed (a block starts with its 80-byte header).
    const withheld = (m: Message): boolean => m.command === 'block' && !bytesEqual(headerHash(parseHeader(m.block.subarray(0, 80))), genesis);
    const proxy = await tamperProxy(full.network.port, genesis, { toLight: (m) => (withheld(m) ? null : m) });
    const { node, sink } = await startLight(`${dir.dir}/light${n++}`, [`127.0.0.1:${proxy.port}`], [wallet.pkh]);
    try {
      await eventually('the withheld block to be asked of the proxy', () => proxy.fromLight.some((m) => m.command === 'getdata' && m.items.some((i) => i.kind === 'block' && hashToHex(i.hash) === hashToHex(chain[3]!.hash))), 30_000);
      assert.equal(sink.connects().at(-1)?.height, 3, 'stuck before the first matching block');
      node.manager.connect('127.0.0.1', full.network.port);
      await eventually('the light node to apply height 30', () => sink.connects().at(-1)?.height === 30, 60_000);
      assert.deepEqual(sink.connects().filter((c) => c.body).map((c) => c.height), [...PAY_AT]);
    } finally {
      await node.stop();
      await proxy.close();
    }
  });
});
