import { Wallet } from '../../wallet/wallet.js';
import type { NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { bip39Passphrase, secret } from '../secretInput.js';

export interface CreateWalletOptions { passphraseFile?: string; bip39PassphraseFile?: string }

/** Derives the next address; the first call on a wallet without a seed makes one and shows its 24 words once. */
export async function createWalletCommand(ctx: NodeContext, o: CreateWalletOptions = {}): Promise<void> {
  const wallet = await Wallet.open(ctx.datadir);
  // An encrypted version-1 wallet needs its passphrase to seal the new seed; any other needs none.
  const passphrase = wallet.encrypted && !wallet.hasSeed ? await secret(o.passphraseFile, 'wallet passphrase', '--passphrase-file') : undefined;
  const key = await wallet.createKey({ passphrase, bip39Passphrase: wallet.hasSeed ? '' : await bip39Passphrase(o.bip39PassphraseFile) });
  if (key.mnemonic === null) {
    emit(ctx.json, { address: key.address }, () => `Your new address: ${key.address}`);
    return;
  }
  const mnemonic = key.mnemonic;
  emit(ctx.json, { address: key.address, mnemonic }, () => [
    `Your new address: ${key.address}`,
    '',
    'Your wallet\'s recovery words (shown this once; write them down, keep them offline):',
    mnemonic,
    '',
    'They restore every address of this wallet (restorewallet). Protect the file with encryptwallet.',
  ].join('\n'));
}
