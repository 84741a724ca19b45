import { Wallet } from '../../wallet/wallet.js';
import type { NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';

export async function createWalletCommand(ctx: NodeContext): Promise<void> {
  const wallet = await Wallet.open(ctx.datadir);
  const key = await wallet.createKey();
  emit(ctx.json, { address: key.address }, () => `Your new address: ${key.address}`);
}
