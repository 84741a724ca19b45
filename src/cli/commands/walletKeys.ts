// The wallet's passphrase and backup commands. They act on the wallet file
// under its lock, so they work whether or not the node runs; walletpassphrase
// and walletlock only mean something to a running node and go to it by RPC.
import { PubchainError } from '../../core/errors.js';
import { Wallet } from '../../wallet/wallet.js';
import { WalletError } from '../../wallet/walletErrors.js';
import type { NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { findRunningNode, type LiveNode } from '../runningNode.js';
import { secret } from '../secretInput.js';

export interface PassOptions { passphraseFile?: string }

/** An encrypted wallet is unlocked for this command from --passphrase-file or the prompt. */
export async function unlockForCommand(wallet: Wallet, o: PassOptions): Promise<void> {
  if (!wallet.encrypted || !wallet.isLocked()) return;
  if (o.passphraseFile === undefined && !process.stdin.isTTY) {
    throw new WalletError('wallet-locked', `the wallet ${wallet.path} is encrypted: give --passphrase-file FILE (or run on a terminal to be asked)`);
  }
  await wallet.unlock(await secret(o.passphraseFile, 'wallet passphrase', '--passphrase-file'));
}

export async function encryptWalletCommand(ctx: NodeContext, o: PassOptions): Promise<void> {
  const wallet = await Wallet.open(ctx.datadir);
  if (wallet.encrypted) throw new WalletError('wrong-enc-state', `the wallet ${wallet.path} is already encrypted (walletpassphrasechange changes its passphrase)`);
  await wallet.encrypt(await secret(o.passphraseFile, 'new wallet passphrase', '--passphrase-file', true));
  emit(ctx.json, { encrypted: true, path: wallet.path }, () => `wallet encrypted: ${wallet.path}\nsigning now needs the passphrase; make a new backup (backupwallet FILE): older ones are not encrypted`);
}

export async function walletPassphraseChangeCommand(ctx: NodeContext, o: PassOptions & { newPassphraseFile?: string }): Promise<void> {
  const wallet = await Wallet.open(ctx.datadir);
  if (!wallet.encrypted) throw new WalletError('wrong-enc-state', `the wallet ${wallet.path} is not encrypted: run encryptwallet`);
  const old = await secret(o.passphraseFile, 'current wallet passphrase', '--passphrase-file');
  const next = await secret(o.newPassphraseFile, 'new wallet passphrase', '--new-passphrase-file', true);
  await wallet.changePassphrase(old, next);
  emit(ctx.json, { changed: true, path: wallet.path }, () => `passphrase changed: ${wallet.path}`);
}

export async function showMnemonicCommand(ctx: NodeContext, o: PassOptions): Promise<void> {
  const wallet = await Wallet.open(ctx.datadir);
  await unlockForCommand(wallet, o);
  const mnemonic = wallet.mnemonic();
  emit(ctx.json, { mnemonic }, () => mnemonic);
}

export async function backupWalletCommand(ctx: NodeContext, file: string): Promise<void> {
  const target = await (await Wallet.open(ctx.datadir)).backup(file);
  emit(ctx.json, { backup: target }, () => `wallet backed up to ${target}`);
}

async function liveNodeFor(ctx: NodeContext, command: string) {
  const live = await findRunningNode(ctx.datadir);
  if (!live) throw new PubchainError('no-node', `${command} acts on a running node, and none runs on ${ctx.datadir}; commands that sign take --passphrase-file instead`);
  return live;
}

export async function walletPassphraseCommand(ctx: NodeContext, o: PassOptions & { timeout: number }): Promise<void> {
  const live = await liveNodeFor(ctx, 'walletpassphrase');
  await live.call('walletpassphrase', [await secret(o.passphraseFile, 'wallet passphrase', '--passphrase-file'), o.timeout]);
  emit(ctx.json, { unlocked: true, seconds: o.timeout }, () => `the running node (pid ${live.info.pid}) holds the wallet's keys for ${o.timeout} s`);
}

export async function walletLockCommand(ctx: NodeContext): Promise<void> {
  const live = await liveNodeFor(ctx, 'walletlock');
  await live.call('walletlock', []);
  emit(ctx.json, { locked: true }, () => `the running node (pid ${live.info.pid}) wiped the wallet's keys`);
}

/**
 * A send through a running node whose wallet is encrypted and locked: the
 * passphrase (file or prompt) unlocks it for one minute, and it is locked
 * again as soon as the call returns. An unlocked or plain wallet is left as is.
 */
export async function withNodeUnlocked<T>(live: LiveNode, datadir: string, o: PassOptions, job: () => Promise<T>): Promise<T> {
  const wallet = await Wallet.open(datadir);
  if (!wallet.encrypted) return job();
  const info = await live.call<{ unlocked_until?: number }>('getwalletinfo', []);
  if (info.unlocked_until !== 0) return job();
  if (o.passphraseFile === undefined && !process.stdin.isTTY) return job();
  await live.call('walletpassphrase', [await secret(o.passphraseFile, 'wallet passphrase', '--passphrase-file'), 60]);
  try {
    return await job();
  } finally {
    await live.call('walletlock', []).catch(() => undefined);
  }
}
