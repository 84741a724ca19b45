// What a killed node left behind, read two ways: the raw database as the kill
// left it (is a reorganisation half done?), then through the CLI, which opens
// the chain the way a restart does: `reindexutxo` must find the maintained UTXO
// set equal to the one rebuilt from the blocks, `printchain` gives the tip and
// its parent, `listaddresses` the wallet's keys.
import { NodeDef, runCli } from '../helpers/cliProcess.js';
import { hashToHex } from '../../src/core/bytes.js';
import { metaKey } from '../../src/storage/layout.js';
import { RocksStore } from '../../src/storage/rocksStore.js';
import { nodeArgs } from '../helpers/cliProcess.js';

export interface RawState {
  /** The tip hash exactly as stored when the process died (display hex), before any recovery. */
  tip: string | null;
  /** The "best" marker: the process died part-way through a reorganisation. */
  midReorg: boolean;
}

export async function readRaw(datadir: string): Promise<RawState> {
  const store = await RocksStore.open(`${datadir}/chain`);
  try {
    const [tip, best] = await store.getMany([metaKey('tip'), metaKey('best')]);
    return { tip: tip ? hashToHex(tip) : null, midReorg: best !== null };
  } finally {
    await store.close();
  }
}

export interface StoredTip {
  height: number;
  hash: string;
  prev: string;
  /** The hash of the block printchain lists below the tip (null at genesis). */
  below: string | null;
}

export interface AfterKill {
  raw: RawState;
  /** Null when the node never got a chain (killed before adopting a genesis). */
  stored: StoredTip | null;
  reindex: { changed: boolean; height: number } | null;
  addresses: string[];
  problems: string[];
}

async function cli(def: NodeDef, args: string[]): Promise<{ ok: true; value: any } | { ok: false; error: string }> {
  const r = await runCli([...args, ...nodeArgs(def), '--json'], { env: { NODE_ID: def.id }, timeoutMs: 120_000 });
  if (r.code === 0) return { ok: true, value: JSON.parse(r.stdout) };
  return { ok: false, error: r.stderr.trim().split('\n').pop() ?? `exit ${r.code}` };
}

export async function checkAfterKill(def: NodeDef, addresses: string[], mayHaveNoChain: boolean): Promise<AfterKill> {
  const problems: string[] = [];
  const raw = await readRaw(def.datadir);
  const reindex = await cli(def, ['reindexutxo']);
  const chain = await cli(def, ['printchain', '--limit', '2']);
  const wallet = await cli(def, ['listaddresses']);
  let stored: StoredTip | null = null;
  let reindexed: AfterKill['reindex'] = null;
  const noChain = (r: { ok: false; error: string }): boolean => mayHaveNoChain && raw.tip === null && /no blockchain/.test(r.error);
  if (reindex.ok) {
    reindexed = { changed: reindex.value.changed, height: reindex.value.height };
    if (reindex.value.changed) problems.push(`reindexutxo: the UTXO set had drifted at height ${reindex.value.height}`);
  } else if (!noChain(reindex)) {
    problems.push(`reindexutxo failed: ${reindex.error}`);
  }
  if (chain.ok) {
    const [top, next] = chain.value as Array<{ height: number; hash: string; prev: string }>;
    stored = { height: top!.height, hash: top!.hash, prev: top!.prev, below: next?.hash ?? null };
    if (next && (next.hash !== top!.prev || next.height !== top!.height - 1)) problems.push(`printchain: the tip's parent is ${top!.prev} but the block below it is ${next.height}/${next.hash}`);
    if (reindexed && reindexed.height !== top!.height) problems.push(`reindexutxo saw height ${reindexed.height}, printchain ${top!.height}`);
  } else if (!noChain(chain)) {
    problems.push(`printchain failed: ${chain.error}`);
  }
  const got = wallet.ok ? (wallet.value.addresses as string[]) : [];
  if (!wallet.ok) problems.push(`listaddresses failed: ${wallet.error}`);
  else if (got.join() !== addresses.join()) problems.push(`wallet.json holds ${JSON.stringify(got)}, expected ${JSON.stringify(addresses)}`);
  return { raw, stored, reindex: reindexed, addresses: got, problems };
}
