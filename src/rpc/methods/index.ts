// Every method by name, and `help`, which lists them.
import type { RpcBaseContext, RpcMethod } from '../types.js';
import { banMethods } from './ban.js';
import { chainMethods } from './chain.js';
import { chainInfoMethods } from './chainInfo.js';
import { feeMethods } from './fees.js';
import { mempoolMethods } from './mempool.js';
import { miningMethods } from './mining.js';
import { nodeMethods } from './node.js';
import { str, isMissing } from './params.js';
import { peerMethods } from './peers.js';
import { proofMethods } from './proofs.js';
import { txMethods } from './tx.js';
import { walletMethods } from './wallet.js';
import { stratumMethods } from './stratum.js';
import { historyMethods } from './walletHistory.js';
import { walletKeyMethods } from './walletKeys.js';

export function usage(m: RpcMethod<never>): string {
  return [m.name, ...m.params.map((p) => (p.optional ? `[${p.name}]` : p.name))].join(' ');
}

function helpMethod<C extends RpcBaseContext>(all: () => ReadonlyMap<string, RpcMethod<C>>): RpcMethod<C> {
  return {
    name: 'help',
    params: [{ name: 'method', optional: true }],
    description: 'Without a name: every method with its parameters. With one: that method\'s usage and description.',
    run: (_ctx, [method]) => {
      const methods = all();
      if (isMissing(method)) return [...methods.values()].map(usage).sort();
      const m = methods.get(str(method, 'method'));
      if (!m) return `help: unknown command: ${String(method).slice(0, 100)}`;
      return `${usage(m)}\n${m.description}`;
    },
  };
}

/** A table of groups of methods, with `help` over them; a name defined twice is a bug. */
export function tableOf<C extends RpcBaseContext>(groups: RpcMethod<C>[][]): ReadonlyMap<string, RpcMethod<C>> {
  const table = new Map<string, RpcMethod<C>>();
  for (const m of [...groups.flat(), helpMethod(() => table)]) {
    if (table.has(m.name)) throw new Error(`RPC method ${m.name} is defined twice`);
    table.set(m.name, m);
  }
  return table;
}

export function methodTable(): ReadonlyMap<string, RpcMethod> {
  // One group per line, so new method files merge cleanly.
  const groups: RpcMethod[][] = [
    chainMethods,
    chainInfoMethods,
    txMethods,
    mempoolMethods,
    feeMethods,
    peerMethods,
    banMethods,
    miningMethods,
    stratumMethods,
    walletMethods,
    walletKeyMethods,
    historyMethods,
    nodeMethods,
    proofMethods,
  ];
  return tableOf(groups);
}
