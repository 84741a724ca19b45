// A deterministic chain for the light wallet's coin store tests: blocks that
// pay the watched key, spend its coins (some inside the block that made them)
// and blocks that do not touch it (handed over header-only, as the light sync
// does when a filter does not match). Parent and child processes build the same one.
import { isCoinbase, outpointKey, txid } from '../../src/core/tx.js';
import type { AppliedBlock } from '../../src/wallet/lightCoins.js';
import { buildBlock, Built, outputsOf, signedTx, Spendable, testKey, TestKey } from './chainFixtures.js';

export const WALLET = testKey(61);
export const OTHER = testKey(62);

/** Block i pays the wallet when i % 3 === 0 and spends its oldest coin when i % 4 === 1 (half of it back as change). */
export function lightScript(n: number, wallet: TestKey = WALLET, other: TestKey = OTHER): AppliedBlock[] {
  const coins: Spendable[] = [];
  const out: AppliedBlock[] = [];
  let parent: Built | null = null;
  for (let i = 0; i < n; i++) {
    const txs = [];
    if (i % 4 === 1 && coins.length > 0) {
      const c = coins.shift()!;
      const half = Math.floor(c.value / 2);
      const spend = signedTx([c], [{ value: half, pubKeyHash: other.pkh }, { value: c.value - half, pubKeyHash: wallet.pkh }]);
      txs.push(spend);
      const change = outputsOf(spend, wallet)[0]!;
      if (i % 8 === 1) {
        // Spent again in the same block: a coin made and gone within one block.
        txs.push(signedTx([change], [{ value: change.value, pubKeyHash: other.pkh }]));
      } else coins.push(change);
    }
    const b: Built = buildBlock({ parent, key: i % 3 === 0 ? wallet : other, txs });
    if (i % 3 === 0) coins.push(b.reward);
    parent = b;
    out.push({ height: b.height, hash: b.hash, header: b.block.header, block: touches(b, wallet) ? b.block : null });
  }
  return out;
}

function touches(b: Built, wallet: TestKey): boolean {
  const hex = Buffer.from(wallet.pkh).toString('hex');
  return b.block.txs.some((tx) => tx.outputs.some((o) => Buffer.from(o.pubKeyHash).toString('hex') === hex)
    || (!isCoinbase(tx) && tx.inputs.some((i) => Buffer.from(i.pubKey).equals(Buffer.from(wallet.pub)))));
}

/** The outpoint keys of `b`'s outputs, for assertions. */
export const outpointsOf = (b: AppliedBlock): string[] => (b.block?.txs ?? []).flatMap((tx) => tx.outputs.map((_o, v) => outpointKey(txid(tx), v)));
