// Mines a genesis block whose coinbase pays ADDRESS; that block names the chain.
import { hashToHex } from '../../core/bytes.js';
import { headerHash } from '../../core/header.js';
import { decodeAddress } from '../../crypto/address.js';
import { BlockTemplate, genesisContext } from '../../mining/template.js';
import { blockSubsidy } from '../../core/params.js';
import { formatCoins } from '../../core/amount.js';
import { PubchainError } from '../../core/errors.js';
import { mineLocally } from '../localMiner.js';
import { withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';

export async function createBlockchainCommand(ctx: NodeContext, address: string, threads?: number): Promise<void> {
  const pubKeyHash = decodeAddress(address);
  await withChain(ctx, async (chain) => {
    // Checked before mining so nothing is spent on a chain that would be refused.
    if (chain.tip) throw new PubchainError('chain-exists', `a blockchain already exists in ${ctx.datadir} (height ${chain.tip.height}); nothing was changed`);
    const block = await mineLocally(ctx.params, new BlockTemplate(ctx.params, genesisContext(ctx.params), [], pubKeyHash), threads);
    await chain.initGenesis(block);
    const hash = hashToHex(headerHash(block.header));
    const reward = formatCoins(blockSubsidy(ctx.params, ctx.params.genesisHeight));
    emit(ctx.json, { genesis: hash, height: ctx.params.genesisHeight, address, reward },
      () => `Created a ${ctx.params.name} blockchain.\ngenesis  ${hash}\nreward   ${reward} coins to ${address}`);
  });
}
