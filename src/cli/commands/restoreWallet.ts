// restorewallet: the 24 words (from --mnemonic-file or the prompt, never argv)
// recreate the seed; the chain's address index finds its coins with a gap
// limit of 20. On a running node the node does it (RPC restorewallet).
import { formatCoins } from '../../core/amount.js';
import { restoreWallet } from '../../wallet/restore.js';
import { Wallet } from '../../wallet/wallet.js';
import { withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { findRunningNode } from '../runningNode.js';
import { bip39Passphrase, secret } from '../secretInput.js';

export interface RestoreOptions { mnemonicFile?: string; bip39PassphraseFile?: string; passphraseFile?: string }

interface Restored { addresses: string[]; next: number; balance: string; units: string }

export async function restoreWalletCommand(ctx: NodeContext, o: RestoreOptions): Promise<void> {
  const words = await secret(o.mnemonicFile, 'mnemonic (24 words)', '--mnemonic-file');
  const extra = await bip39Passphrase(o.bip39PassphraseFile);
  const wallet = await Wallet.open(ctx.datadir);
  // Only a version-1 wallet that is encrypted needs its passphrase: the new seed is sealed with it.
  const pass = wallet.encrypted && !wallet.hasSeed ? await secret(o.passphraseFile, 'wallet passphrase', '--passphrase-file') : undefined;
  const live = await findRunningNode(ctx.datadir);
  const r: Restored = live
    ? await live.call<Restored>('restorewallet', [words, extra, pass ?? null], 300_000)
    : await withChain(ctx, async (chain) => {
      const s = await restoreWallet(wallet, words, extra, (pkh) => chain.coinsOf(pkh), pass);
      return { addresses: s.addresses.map((a) => a.address), next: s.next, balance: formatCoins(s.units), units: String(s.units) };
    });
  emit(ctx.json, r, () => [
    `restored ${r.addresses.length} address(es) holding ${r.balance} coins${live ? ` (by the running node, pid ${live.info.pid})` : ''}`,
    ...r.addresses,
  ].join('\n'));
}
