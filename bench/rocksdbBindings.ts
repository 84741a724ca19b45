// Which RocksDB binding: `rocksdb` (leveldown API, last release 2022) or
// `rocksdb-native` (holepunch, maintained). Both run the storage side of
// connecting blocks of 1,000 one-in-two-out transactions, as the chain does it:
// one batched read of the 1,000 coins spent, then one atomic write of the
// block, undo data, 2,000 new coins + address-index entries, 1,000 spent
// coins + entries, index, height and tip. Result: blocks/s and the tx/s that
// storage alone would allow. Run: node dist/bench/rocksdbBindings.js [blocks]
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import RocksDB from 'rocksdb-native';

const TXS_PER_BLOCK = 1000;
const COIN_BYTES = 33;

interface Op { type: 'put' | 'del'; key: Buffer; value?: Buffer }
interface Binding {
  name: string;
  getMany(keys: Buffer[]): Promise<Array<Uint8Array | null | undefined>>;
  batch(ops: Op[]): Promise<void>;
  close(): Promise<void>;
}

async function openNative(dir: string): Promise<Binding> {
  const db = new RocksDB(dir, { createIfMissing: true });
  await db.ready();
  return {
    name: 'rocksdb-native 3.18',
    async getMany(keys) {
      const r = db.read({ capacity: keys.length, autoDestroy: true });
      const ps = keys.map((k) => r.get(k));
      r.tryFlush();
      return Promise.all(ps);
    },
    async batch(ops) {
      const w = db.write({ capacity: ops.length, autoDestroy: true });
      for (const op of ops) if (op.type === 'put') w.tryPut(op.key, op.value!); else w.tryDelete(op.key);
      await w.flush();
    },
    close: () => db.close(),
  };
}

interface LevelDown {
  open(opts: object, cb: (e?: Error) => void): void;
  getMany(keys: Buffer[], opts: object, cb: (e: Error | undefined, v: Array<Buffer | undefined>) => void): void;
  batch(ops: Op[], cb: (e?: Error) => void): void;
  close(cb: (e?: Error) => void): void;
}

async function openLeveldown(dir: string): Promise<Binding> {
  const factory = createRequire(import.meta.url)('rocksdb') as (dir: string) => LevelDown;
  const db = factory(dir);
  const call = <T>(fn: (cb: (e?: Error, v?: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v as T))));
  await call((cb) => db.open({ createIfMissing: true }, cb));
  return {
    name: 'rocksdb 5.2.1',
    getMany: (keys) => call((cb) => db.getMany(keys, { asBuffer: true, fillCache: true }, cb as never)),
    batch: (ops) => call((cb) => db.batch(ops, cb)),
    close: () => call((cb) => db.close(cb)),
  };
}

function key(prefix: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.of(prefix), body]);
}

/** Storage work of connecting `blocks` blocks; returns blocks per second. */
async function run(open: (dir: string) => Promise<Binding>, blocks: number): Promise<{ name: string; blocksPerSec: number; readShare: number }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pubchain-bindings-'));
  const db = await open(dir);
  try {
    // The coins the first block spends.
    let spendable: Buffer[] = Array.from({ length: TXS_PER_BLOCK }, () => randomBytes(36));
    await db.batch(spendable.map((o) => ({ type: 'put', key: key(0x63, o), value: randomBytes(COIN_BYTES) })));
    let elapsed = 0;
    let reading = 0;
    for (let b = 0; b < blocks; b++) {
      const readKeys = spendable.map((o) => key(0x63, o));
      // Only the two binding calls are timed, not building their arguments.
      let t0 = process.hrtime.bigint();
      const coins = await db.getMany(readKeys);
      const readTime = Number(process.hrtime.bigint() - t0) / 1e9;
      elapsed += readTime;
      reading += readTime;
      if (coins.some((c) => !c)) throw new Error('a coin to spend is missing');
      const ops: Op[] = [];
      const created: Buffer[] = [];
      for (let i = 0; i < TXS_PER_BLOCK; i++) {
        const pkh = spendable[i]!.subarray(0, 20);
        ops.push({ type: 'del', key: key(0x63, spendable[i]!) }, { type: 'del', key: key(0x61, Buffer.concat([pkh, spendable[i]!])) });
        const txid = randomBytes(32);
        for (let v = 0; v < 2; v++) {
          const o = Buffer.concat([txid, Buffer.of(0, 0, 0, v)]);
          const coin = randomBytes(COIN_BYTES);
          ops.push({ type: 'put', key: key(0x63, o), value: coin }, { type: 'put', key: key(0x61, Buffer.concat([o.subarray(0, 20), o])), value: coin });
          created.push(o);
        }
      }
      const hash = randomBytes(32);
      ops.push(
        { type: 'put', key: key(0x62, hash), value: randomBytes(TXS_PER_BLOCK * 172) },
        { type: 'put', key: key(0x75, hash), value: randomBytes(TXS_PER_BLOCK * 69) },
        { type: 'put', key: key(0x69, hash), value: randomBytes(117) },
        { type: 'put', key: Buffer.of(0x68, 0, 0, b >> 8, b & 0xff), value: hash },
        { type: 'put', key: Buffer.from('mtip'), value: hash },
      );
      t0 = process.hrtime.bigint();
      await db.batch(ops);
      elapsed += Number(process.hrtime.bigint() - t0) / 1e9;
      // Half the new coins are spent next block, the rest stay in the set: the set grows as a chain's does.
      spendable = created.filter((_, i) => i % 2 === 0);
    }
    return { name: db.name, blocksPerSec: blocks / elapsed, readShare: reading / elapsed };
  } finally {
    await db.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const blocks = Number(process.argv[2] ?? 200);
const results: Record<string, Array<{ blocksPerSec: number; readShare: number }>> = {};
for (let round = 0; round < 3; round++) {
  for (const open of [openNative, openLeveldown]) {
    const r = await run(open, blocks);
    (results[r.name] ??= []).push(r);
  }
}
for (const [name, runs] of Object.entries(results)) {
  const median = [...runs].sort((a, b) => a.blocksPerSec - b.blocksPerSec)[1]!;
  console.log(`${name.padEnd(20)} ${runs.map((r) => r.blocksPerSec.toFixed(1)).join(' / ')} blocks/s; median ${(median.blocksPerSec * TXS_PER_BLOCK).toFixed(0)} tx/s of storage work, ${(median.readShare * 100).toFixed(0)}% of it in the batched read`);
}
