// Light-node tests: a recording sink (a small stand-in for the light wallet's
// coins: it keeps only its chain position, in the node's own RocksDB under a
// test prefix, so a restart resumes), a chain with payments to a watched key in
// chosen blocks, and a tampering proxy that sits between a light node and a
// real full node and rewrites what the full node says.
import net from 'node:net';
import { bytesEqual, hashToHex } from '../../src/core/bytes.js';
import { REGTEST } from '../../src/core/params.js';
import { createLogger } from '../../src/node/logger.js';
import type { ChainPoint, LightBlock, LightChainSink } from '../../src/node/spv/lightChain.js';
import { LightNode, type LightNodeOptions } from '../../src/node/spv/lightNode.js';
import type { KeyValueStore } from '../../src/storage/kvStore.js';
import { NODE_HEADERS, NODE_LIGHT, type Message } from '../../src/p2p/messages.js';
import { versionMessage, WirePeer } from '../reliability/wirePeer.js';
import { buildBlock, type Built, type TestKey, signedTx } from './chainFixtures.js';

const TIP_KEY = Uint8Array.of(0x54, 0x74); // 'T' 't': height u32 | hash 32
const heightKey = (h: number): Uint8Array => { const k = new Uint8Array(6); k[0] = 0x54; k[1] = 0x68; new DataView(k.buffer).setUint32(2, h); return k; };

export class RecordingSink implements LightChainSink {
  readonly events: Array<{ kind: 'connect' | 'disconnect'; height: number; hash: string; body: boolean }> = [];
  constructor(private readonly kv: KeyValueStore, private readonly watch: Uint8Array[]) {}

  async lastApplied(): Promise<ChainPoint | null> {
    const v = await this.kv.get(TIP_KEY);
    return v ? { height: new DataView(v.buffer, v.byteOffset).getUint32(0), hash: v.slice(4) } : null;
  }
  watched(): Uint8Array[] { return this.watch; }
  private async setTip(p: ChainPoint | null, extra: Array<[Uint8Array, Uint8Array | null]>): Promise<void> {
    const ops: Parameters<KeyValueStore['write']>[0] = [];
    for (const [k, v] of extra) ops.push(v ? { type: 'put', key: k, value: v } : { type: 'del', key: k });
    if (p) { const v = new Uint8Array(36); new DataView(v.buffer).setUint32(0, p.height); v.set(p.hash, 4); ops.push({ type: 'put', key: TIP_KEY, value: v }); }
    else ops.push({ type: 'del', key: TIP_KEY });
    await this.kv.write(ops);
  }
  async connect(b: LightBlock): Promise<void> {
    const last = await this.lastApplied();
    if (last && last.height + 1 !== b.height) throw new Error(`connect at ${b.height} after ${last.height}`);
    if (last && !bytesEqual(b.header.prevHash, last.hash)) throw new Error(`connect at ${b.height} is not a child of the last applied block`);
    this.events.push({ kind: 'connect', height: b.height, hash: hashToHex(b.hash), body: b.block !== null });
    await this.setTip({ height: b.height, hash: b.hash }, [[heightKey(b.height), Uint8Array.from(b.header.prevHash)]]);
  }
  async disconnect(tip: ChainPoint): Promise<void> {
    const last = await this.lastApplied();
    if (!last || !bytesEqual(last.hash, tip.hash)) throw new Error('disconnect of a block that is not the last applied');
    this.events.push({ kind: 'disconnect', height: tip.height, hash: hashToHex(tip.hash), body: false });
    const prev = await this.kv.get(heightKey(tip.height));
    await this.setTip(prev && tip.height > 1 ? { height: tip.height - 1, hash: prev } : null, [[heightKey(tip.height), null]]);
  }
  connects(): Array<{ height: number; hash: string; body: boolean }> { return this.events.filter((e) => e.kind === 'connect'); }
}

export async function startLight(datadir: string, connect: string[], watch: Uint8Array[], extra: Partial<LightNodeOptions> = {}): Promise<{ node: LightNode; sink: RecordingSink }> {
  let sink: RecordingSink | null = null;
  const node = await LightNode.start({
    datadir, params: REGTEST, connect, requestTimeoutMs: 1500,
    log: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' }),
    sink: async (kv) => (sink = new RecordingSink(kv, watch)),
    ...extra,
  });
  return { node, sink: sink! };
}

/** A chain of `n` blocks on `parent` (or from a genesis) mined to `miner`; at the heights in `payAt`, a block also pays `payee` from an older reward. */
export function chainWithPayments(parent: Built | null, n: number, miner: TestKey, payee: TestKey, payAt: Set<number>, extraNonce = 0, rewards: Built[] = []): Built[] {
  const out: Built[] = [];
  let p = parent;
  const pool = [...rewards];
  for (let i = 0; i < n; i++) {
    const height = p ? p.height + 1 : REGTEST.genesisHeight;
    const txs = [];
    if (payAt.has(height) && pool.length > 0) {
      const spend = pool.shift()!;
      txs.push(signedTx([spend.reward], [{ value: 1000, pubKeyHash: payee.pkh }, { value: spend.reward.value - 1000, pubKeyHash: miner.pkh }]));
    }
    p = buildBlock({ parent: p, key: miner, txs, extraNonce });
    out.push(p);
    pool.push(p);
  }
  return out;
}

export interface Tamper {
  /** What the full node says to the light node: return the message to pass on, or null to swallow it. */
  toLight?: (m: Message) => Message | null;
  toFull?: (m: Message) => Message | null;
}

export interface TamperProxy {
  port: number;
  /** Connections the light node opened, and how many of them have closed. */
  opened: number;
  closed: number;
  fromLight: Message[];
  close(): Promise<void>;
}

const LOCAL = new Set(['version', 'verack', 'ping', 'pong', 'getaddr', 'addr']);

/** Listens for a light node; each connection gets its own upstream connection to the full node at `upstream`. */
export async function tamperProxy(upstream: number, genesis: Uint8Array, t: Tamper): Promise<TamperProxy> {
  const pairs: WirePeer[] = [];
  const proxy: TamperProxy = { port: 0, opened: 0, closed: 0, fromLight: [], close: async () => { for (const p of pairs) p.close(); await new Promise<void>((r) => server.close(() => r())); } };
  const server = net.createServer((socket) => {
    proxy.opened++;
    const light = WirePeer.accept(socket);
    pairs.push(light);
    void light.waitClosed(600_000).then(() => { proxy.closed++; });
    void (async () => {
      const up = await WirePeer.connect(upstream);
      pairs.push(up);
      const v = await up.handshake(genesis, { services: NODE_LIGHT });
      let ready = false;
      const held: Message[] = [];
      up.onMessage = (m) => {
        if (LOCAL.has(m.command)) return;
        const out = t.toLight ? t.toLight(m) : m;
        if (!out) return;
        if (ready) light.send(out); else held.push(out);
      };
      light.onMessage = (m) => {
        if (LOCAL.has(m.command)) return;
        proxy.fromLight.push(m);
        const out = t.toFull ? t.toFull(m) : m;
        if (out) up.send(out);
      };
      // The light node sent its version on connect: wait for it from the first message on.
      light.send(versionMessage(genesis, { services: NODE_HEADERS, bestHeight: v.bestHeight, work: v.work }));
      light.send({ command: 'verack' });
      await light.waitFor('version', (m) => m.command === 'version', 10_000, 0);
      await light.waitFor('verack', (m) => m.command === 'verack', 10_000, 0);
      ready = true;
      for (const m of held) light.send(m);
      void light.waitClosed(600_000).then(() => up.close());
      void up.waitClosed(600_000).then(() => light.close());
    })().catch(() => light.close());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
