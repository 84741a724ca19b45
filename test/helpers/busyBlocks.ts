// Busy chains for the address-index tests: blocks that split coins among a few
// keys, with now and then a heavier two-block fork on the tip's parent (a
// reorganisation with undo). The next block is built from `chain`'s own coins.
import type { Block } from '../../src/core/block.js';
import type { Chain } from '../../src/chain/chain.js';
import { buildBlock, signedTx, Spendable, TestKey } from './chainFixtures.js';

/** Builds and connects one more step on `chain`; returns the blocks it processed, in order. */
export async function busyStep(chain: Chain, keys: TestKey[], i: number): Promise<Block[]> {
  const tip = chain.tip!;
  const key = keys[i % keys.length]!;
  if (i % 9 === 8 && tip.height > 2) {
    const parent = (await chain.getIndex(tip.header.prevHash))!;
    const f1 = buildBlock({ parent: { hash: parent.hash, height: parent.height, time: parent.header.time }, key, extraNonce: 5000 + i });
    const f2 = buildBlock({ parent: f1, key, extraNonce: 5000 + i });
    await chain.processBlock(f1.block);
    await chain.processBlock(f2.block);
    return [f1.block, f2.block];
  }
  const coins = (await chain.coinsOf(key.pkh)).filter((c) => c.coin.value >= 30).slice(0, 6);
  const txs = coins.map((c, k) => {
    const input: Spendable = { txid: c.txid, vout: c.vout, value: c.coin.value, key };
    const third = Math.floor(c.coin.value / 3);
    return signedTx([input], [
      { value: third, pubKeyHash: keys[(i + k + 1) % keys.length]!.pkh },
      { value: third, pubKeyHash: keys[(i + k + 2) % keys.length]!.pkh },
      { value: c.coin.value - 2 * third - 5, pubKeyHash: key.pkh },
    ]);
  });
  const b = buildBlock({ parent: { hash: tip.hash, height: tip.height, time: tip.header.time }, key, txs, extraNonce: i });
  await chain.processBlock(b.block);
  return [b.block];
}
