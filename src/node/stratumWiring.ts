// Plugs the Stratum server (mining/stratum) into a running node: templates from
// the chain tip and the mempool through mining/template.ts, found blocks
// through the node's acceptance path (submitBlock.ts), and the tip and mempool
// signals that trigger new jobs.
import type { NetworkParams } from '../core/params.js';
import { PUBKEY_HASH_SIZE } from '../core/tx.js';
import type { Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import { StratumServer, type StratumHooks } from '../mining/stratum/server.js';
import type { StratumOptions } from '../mining/stratum/options.js';
import { blockTemplate, type BlockTemplate } from '../mining/template.js';
import { moduleLogger, type Logger } from './logger.js';
import type { PubchainNode } from './node.js';
import { submitBlock, type BlockAcceptor } from './submitBlock.js';

/** The shared template's own payout is never used: each connection's coinbase pays its own address. */
const UNUSED_PAYOUT = new Uint8Array(PUBKEY_HASH_SIZE);

export interface TemplateDeps {
  chain: Chain;
  mempool: Mempool;
  params: NetworkParams;
}

/** The template on the current tip with what the mempool offers; null while there is no chain. */
export async function currentTemplate(d: TemplateDeps, payout: Uint8Array = UNUSED_PAYOUT): Promise<BlockTemplate | null> {
  if (!d.chain.tip) return null;
  return blockTemplate(d.params, await d.chain.nextBlockContext(), d.mempool, payout);
}

export function stratumHooks(d: TemplateDeps & { acceptor: BlockAcceptor; log: Logger; onAcceptedTx: (fn: () => void) => () => void }): StratumHooks {
  return {
    template: () => currentTemplate(d),
    submitBlock: (block) => submitBlock(d.chain, d.acceptor, block),
    onTip: (fn) => {
      d.chain.on('tip', fn);
      return () => { d.chain.off('tip', fn); };
    },
    // Every accepted transaction; the server refreshes jobs at most every refreshMs.
    onTx: (fn) => d.onAcceptedTx(fn),
    log: d.log,
  };
}

/** Starts the Stratum server on a running node; close it before the node stops. */
export async function startStratum(node: PubchainNode, opts: StratumOptions, log: Logger): Promise<StratumServer> {
  const server = new StratumServer(opts, stratumHooks({
    chain: node.chain, mempool: node.mempool, params: node.config.params, acceptor: node.protocol, log: moduleLogger(log, 'miner'),
    onAcceptedTx: (fn) => node.onAcceptedTx(fn),
  }));
  await server.listen();
  return server;
}
