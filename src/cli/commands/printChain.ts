// Tip first, as the tutorial prints it.
import { formatCoins } from '../../core/amount.js';
import { hashToHex } from '../../core/bytes.js';
import { headerHash } from '../../core/header.js';
import { isCoinbase, txid } from '../../core/tx.js';
import { encodeAddress } from '../../crypto/address.js';
import { pubKeyHashOf } from '../../crypto/keys.js';
import { requireTip, withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';

export async function printChainCommand(ctx: NodeContext, limit?: number): Promise<void> {
  const blocks = await withChain(ctx, async (chain) => {
    const tip = requireTip(chain, ctx);
    const out = [];
    const lowest = limit ? Math.max(ctx.params.genesisHeight, tip.height - limit + 1) : ctx.params.genesisHeight;
    for (let h = tip.height; h >= lowest; h--) {
      const hash = await chain.getHashAtHeight(h);
      const block = hash && (await chain.getBlock(hash));
      if (!block) throw new Error(`block at height ${h} is missing from the database`);
      const hdr = block.header;
      out.push({
        height: h, hash: hashToHex(headerHash(hdr)), prev: hashToHex(hdr.prevHash), merkleRoot: hashToHex(hdr.merkleRoot),
        time: hdr.time, bits: `0x${hdr.bits.toString(16).padStart(8, '0')}`, nonce: hdr.nonce,
        txs: block.txs.map((tx) => ({
          txid: hashToHex(txid(tx)),
          coinbase: isCoinbase(tx),
          inputs: isCoinbase(tx) ? [] : tx.inputs.map((i) => ({ txid: hashToHex(i.prevTxid), vout: i.vout, address: encodeAddress(pubKeyHashOf(i.pubKey)) })),
          outputs: tx.outputs.map((o) => ({ value: formatCoins(o.value), address: encodeAddress(o.pubKeyHash) })),
        })),
      });
    }
    return out;
  });
  emit(ctx.json, blocks, () => blocks.map((b) => [
    `============ Block ${b.hash} ============`,
    `Height: ${b.height}`,
    `Prev:   ${b.prev}`,
    `Time:   ${new Date(b.time * 1000).toISOString()}   Bits: ${b.bits}   Nonce: ${b.nonce}`,
    ...b.txs.flatMap((t) => [
      `  tx ${t.txid}${t.coinbase ? ' (coinbase)' : ''}`,
      ...t.inputs.map((i) => `     in  ${i.txid}:${i.vout}  from ${i.address}`),
      ...t.outputs.map((o) => `     out ${o.value.padStart(14)}  to ${o.address}`),
    ]),
    '',
  ].join('\n')).join('\n').trimEnd());
}

