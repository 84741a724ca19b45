// Child processes for the storage tests. Run as a script with a mode:
//   hold <dir>          open the RocksDB at <dir>, print "ready", wait to be killed
//   connect-loop <dir>  extend (and now and then reorganise) the chain at <dir>,
//                       printing "height <n>" after every block, until killed
//   addrindex-loop <dir> defer the address index, connect busy blocks, then build
//                       the index in small steps while blocks connect, printing
//                       "building" and "built", over and over until killed
// Without a mode (as when the test runner loads every file under test/) it does nothing.
import { Chain } from '../../src/chain/chain.js';
import { REGTEST } from '../../src/core/params.js';
import { RocksStore } from '../../src/storage/rocksStore.js';
import { busyStep } from './busyBlocks.js';
import { buildBlock, NOW, signedTx, Spendable, testKey } from './chainFixtures.js';

const [mode, dir] = process.argv.slice(2);
const MAX_BLOCKS = 5_000; // a bound, should the parent never kill us
const LIFETIME_MS = 60_000;

async function hold(path: string): Promise<void> {
  await RocksStore.open(path);
  process.stdout.write('ready\n');
  setTimeout(() => process.exit(0), LIFETIME_MS);
}

async function connectLoop(path: string): Promise<void> {
  setTimeout(() => process.exit(0), LIFETIME_MS).unref();
  const key = testKey(7);
  const chain = await Chain.open(await RocksStore.open(path), REGTEST, { now: NOW, blockFilters: true });
  if (!chain.tip) await chain.initGenesis(buildBlock({ parent: null, key }).block);
  process.stdout.write('ready\n');
  for (let i = 0; i < MAX_BLOCKS; i++) {
    const tip = chain.tip!;
    const parentInfo = { hash: tip.hash, height: tip.height, time: tip.header.time };
    if (i % 7 === 6 && tip.height > 2) {
      // Two empty blocks on the tip's parent: a heavier fork, so a reorg with undo.
      const parent = (await chain.getIndex(tip.header.prevHash))!;
      const f1 = buildBlock({ parent: { hash: parent.hash, height: parent.height, time: parent.header.time }, key, extraNonce: 1000 + i });
      const f2 = buildBlock({ parent: f1, key, extraNonce: 1000 + i });
      await chain.processBlock(f1.block);
      await chain.processBlock(f2.block);
    } else {
      const coins = (await chain.coinsOf(key.pkh)).slice(0, 25);
      const txs = coins.filter((c) => c.coin.value >= 2).map((c) => {
        const input: Spendable = { txid: c.txid, vout: c.vout, value: c.coin.value, key };
        const half = Math.floor(c.coin.value / 2);
        return signedTx([input], [{ value: half, pubKeyHash: key.pkh }, { value: c.coin.value - half, pubKeyHash: key.pkh }]);
      });
      await chain.processBlock(buildBlock({ parent: parentInfo, key, txs, extraNonce: i }).block);
    }
    process.stdout.write(`height ${chain.tip!.height}\n`);
  }
  await chain.close();
}

async function addressIndexLoop(path: string): Promise<void> {
  setTimeout(() => process.exit(0), LIFETIME_MS).unref();
  const keys = [testKey(31), testKey(32), testKey(33)];
  const chain = await Chain.open(await RocksStore.open(path), REGTEST, { now: NOW });
  if (!chain.tip) await chain.initGenesis(buildBlock({ parent: null, key: keys[0]! }).block);
  process.stdout.write('ready\n');
  for (let round = 0, i = chain.tip!.height; round < 100; round++) {
    await chain.deferAddressIndex();
    for (let n = 0; n < 6; n++) await busyStep(chain, keys, i++);
    process.stdout.write('building\n');
    const building = chain.buildAddressIndex(3);
    for (let n = 0; n < 4; n++) await busyStep(chain, keys, i++);
    await building;
    process.stdout.write('built\n');
  }
  await chain.close();
}

if (mode === 'hold' && dir) await hold(dir);
else if (mode === 'addrindex-loop' && dir) await addressIndexLoop(dir);
else if (mode === 'connect-loop' && dir) await connectLoop(dir);
