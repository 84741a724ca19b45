import { Wallet } from '../../wallet/wallet.js';
import type { NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';

export async function listAddressesCommand(ctx: NodeContext): Promise<void> {
  const addresses = (await Wallet.open(ctx.datadir)).addresses();
  emit(ctx.json, { addresses }, () => (addresses.length ? addresses.join('\n') : 'this wallet has no addresses yet: run createwallet'));
}
