// Checking a block's transactions against the UTXO set before it is connected.
// ChainStore turns the result into the batch that connects it.
import { Block } from '../core/block.js';
import { Coin } from '../core/coin.js';
import type { BatchHashers } from '../core/hash.js';
import { NetworkParams } from '../core/params.js';
import { bytesKey } from '../core/bytes.js';
import { blockInputKeys, connectBlockTxs, ConnectResult } from '../core/validate.js';
import { UtxoSet } from './utxoSet.js';

/**
 * The outpoint keys among `inputKeys` (blockInputKeys: every input's, in order)
 * that the block spends from the UTXO set: those it creates itself are not read.
 */
export function outpointsToFetch(block: Block, txids: Uint8Array[], inputKeys: readonly string[] = blockInputKeys(block)): string[] {
  const own = new Set<string>();
  for (const id of txids) own.add(bytesKey(id));
  const out: string[] = [];
  for (const key of inputKeys) {
    // The first 32 chars of an outpoint key are its txid's bytesKey.
    if (own.has(key.slice(0, 32))) continue;
    out.push(key);
  }
  return out;
}

/**
 * Validates the block's transactions against the UTXO set, all but the
 * signatures, whose checks are returned for the caller to verify. With
 * `parents` (the checked, not yet written blocks this one builds on, oldest
 * first) the view is the UTXO set as it will be once they are connected: the
 * coins they spend are gone and the coins they create are there, in memory only.
 */
export async function checkConnect(
  utxo: UtxoSet, block: Block, txids: Uint8Array[], height: number, params: NetworkParams, parents: readonly ConnectResult[] = [],
  hashers?: BatchHashers,
): Promise<ConnectResult> {
  const inputKeys = blockInputKeys(block);
  const keys = outpointsToFetch(block, txids, inputKeys);
  if (parents.length === 0) {
    const coins = await utxo.fetchKeys(keys);
    return connectBlockTxs(block, txids, coins, height, params, inputKeys, hashers);
  }
  const created = new Map<string, Coin>();
  const spent = new Set<string>();
  for (const parent of parents) {
    // A coin an earlier parent created and a later one spent is simply gone.
    for (const s of parent.spent) if (!created.delete(s.key)) spent.add(s.key);
    for (const c of parent.created) created.set(c.key, c.coin);
  }
  const coins = await utxo.fetchKeys(keys.filter((k) => !created.has(k) && !spent.has(k)));
  return connectBlockTxs(block, txids, { get: (k) => created.get(k) ?? (spent.has(k) ? undefined : coins.get(k)) }, height, params, inputKeys, hashers);
}
