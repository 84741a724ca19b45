// `send`: build and sign every transfer of the call from this wallet's own
// coins, then either mine them into a block here (--mine, reward to the first
// sender, as in the tutorial) or hand them to a running node in `tx` frames.
// Every input is checked before anything is written.
import { addAmounts, formatCoins, parseCoins, parseFee } from '../../core/amount.js';
import { hashToHex } from '../../core/bytes.js';
import { PubchainError } from '../../core/errors.js';
import { headerHash } from '../../core/header.js';
import { txid, type Tx } from '../../core/tx.js';
import { decodeAddress } from '../../crypto/address.js';
import { Mempool } from '../../mempool/mempool.js';
import { BlockTemplate, templateTx, type TemplateTx } from '../../mining/template.js';
import { parseHostPort } from '../../node/network.js';
import { CENTRAL_NODE } from '../../node/startNode.js';
import { submitTransactions } from '../../node/submitTx.js';
import { PendingSpends } from '../../wallet/pendingSpends.js';
import { buildTransfers, nth, pairLists, type Transfer } from '../../wallet/transfers.js';
import { Wallet } from '../../wallet/wallet.js';
import { WalletError } from '../../wallet/walletErrors.js';
import { UsageError } from '../cliErrors.js';
import { mineLocally } from '../localMiner.js';
import { requireTip, withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { findRunningNode } from '../runningNode.js';
import { unlockForCommand, withNodeUnlocked } from './walletKeys.js';

export interface SendOptions {
  from: string[];
  to: string[];
  amount: string[];
  mine: boolean;
  connect?: string;
  fee?: string;
  threads?: number;
  /** An encrypted wallet's passphrase (else the prompt on a terminal). */
  passphraseFile?: string;
}

/** Pairs the lists: each has one value (used for every transfer) or one per transfer. */
/** An amount parser's RangeError, reworded to name the flag it came from ("invalid --fee "abc": ..."). */
function namedFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(e.message.replace(/^invalid amount /, `invalid ${flag} `));
    throw e;
  }
}

export function pairTransfers(o: Pick<SendOptions, 'from' | 'to' | 'amount'>): Transfer[] {
  const lists = { from: o.from, to: o.to, amount: o.amount };
  for (const [name, list] of Object.entries(lists)) if (list.length === 0) throw new UsageError(`send needs --${name}`);
  const { n, misfit } = pairLists(lists);
  if (misfit) throw new UsageError(`--${misfit.name} has ${misfit.length} values but there are ${n} transfers: give one value or ${n}`);
  const transfers: Transfer[] = [];
  for (let i = 0; i < n; i++) {
    const from = nth(o.from, i);
    const to = nth(o.to, i);
    decodeAddress(from);
    decodeAddress(to);
    transfers.push({ from, to, amount: namedFlag('--amount', () => parseCoins(nth(o.amount, i))) });
  }
  return transfers;
}

export async function sendCommand(ctx: NodeContext, o: SendOptions): Promise<void> {
  const transfers = pairTransfers(o);
  const fee = o.fee === undefined ? 0 : namedFlag('--fee', () => parseFee(o.fee!));
  const target = o.mine ? null : parseHostPort(o.connect ?? CENTRAL_NODE);
  if (o.mine && o.connect) throw new UsageError('--connect is for sending to a node; it does not combine with --mine');
  const live = await findRunningNode(ctx.datadir);
  if (live) {
    // The node holds the database: it builds, signs and relays (or mines) the transfers itself.
    if (o.connect) throw new UsageError(`this node is running (pid ${live.info.pid}): it relays the transfers itself; drop --connect, or stop it first`);
    const r = await withNodeUnlocked(live, ctx.datadir, o, () => live.call<{ txids: string[]; block: string | null }>('send', {
      from: transfers.map((t) => t.from), to: transfers.map((t) => t.to), amount: transfers.map((t) => formatCoins(t.amount)), mine: o.mine, fee: formatCoins(fee),
    }, 120_000));
    printSent(ctx, transfers, r.txids, r.block, `relayed by the running node (pid ${live.info.pid})`);
    return;
  }
  const wallet = await Wallet.open(ctx.datadir);
  for (const t of transfers) {
    if (!wallet.keyFor(t.from)) throw new WalletError('not-my-address', `${t.from} is not an address of this node's wallet (${ctx.datadir}); see listaddresses`);
  }
  await unlockForCommand(wallet, o);
  const pending = PendingSpends.at(ctx.datadir);
  const result = await withChain(ctx, async (chain) => {
    const tip = requireTip(chain, ctx);
    const coinExists = async (id: Uint8Array, vout: number): Promise<boolean> => (await chain.getCoin(id, vout)) !== null;
    const state = await pending.state(coinExists);
    // A block mined here cannot include another node's unconfirmed parents, so --mine spends confirmed coins only.
    const txs = await buildTransfers(wallet, transfers, (pkh) => chain.coinsOf(pkh), { exclude: state.spent, extraCoins: o.mine ? [] : state.coins, fee });
    if (o.mine) return { txs, block: await mineAndConnect(ctx, chain, txs, transfers[0]!.from, o.threads) };
    await submitTransactions({ host: target!.host, port: target!.port, params: ctx.params, genesisHash: chain.genesisHash!, bestHeight: tip.height, txs });
    await pending.add(txs, coinExists);
    return { txs, block: null as string | null };
  });
  printSent(ctx, transfers, result.txs.map((t) => hashToHex(txid(t))), result.block, `handed to the node at ${o.connect ?? CENTRAL_NODE}`);
}

function printSent(ctx: NodeContext, transfers: Transfer[], txids: string[], block: string | null, via: string): void {
  const total = transfers.reduce((s, t) => addAmounts(s, t.amount), 0);
  emit(ctx.json, { txids, block }, () => [
    ...transfers.map((t, i) => `sent ${formatCoins(t.amount)} from ${t.from} to ${t.to}  (tx ${txids[i]})`),
    block ? `mined into block ${block}` : `${via}; ${formatCoins(total)} coins pending until a miner includes them`,
  ].join('\n'));
}

async function mineAndConnect(ctx: NodeContext, chain: Parameters<Parameters<typeof withChain>[1]>[0], txs: Tx[], rewardTo: string, threads?: number): Promise<string> {
  // The mempool runs every rule a relayed transaction meets, so a bad send fails here, before any mining.
  const mempool = new Mempool(chain);
  const chosen: TemplateTx[] = [];
  for (const tx of txs) chosen.push(templateTx(tx, (await mempool.accept(tx)).fee));
  const next = await chain.nextBlockContext();
  const block = await mineLocally(ctx.params, new BlockTemplate(ctx.params, next, chosen, decodeAddress(rewardTo)), threads);
  const r = await chain.processBlock(block);
  if (r.status !== 'connected') throw new PubchainError('mine-failed', `the mined block was not connected (${r.status})`);
  return hashToHex(headerHash(block.header));
}
