// The scenarios: block and transaction propagation, a partition that heals,
// and churn (kill -9 and restart while mining). Each returns figures; every
// wait is bounded.
import { hashToHex } from '../../src/core/bytes.js';
import { txid, type Tx } from '../../src/core/tx.js';
import { nodeArgs, runCli } from '../../test/helpers/cliProcess.js';
import { signedTx, testKey, type Spendable } from '../../test/helpers/chainFixtures.js';
import { WirePeer } from '../../test/reliability/wirePeer.js';
import { CHAIN_LENGTH, dump, waitConverged, type Fleet, type SimNode } from './fleet.js';
import { seededRandom } from './topology.js';

const FEE = 100_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Spread { p50Ms: number; p90Ms: number; maxMs: number; samples: number[] }

export function spread(samples: number[]): Spread {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : 0);
  return { p50Ms: at(0.5), p90Ms: at(0.9), maxMs: s.length ? s[s.length - 1]! : 0, samples: s };
}

async function until(what: string, pred: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`simnet: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

function payTx(coin: Spendable, to: number): Tx {
  return signedTx([coin], [{ value: coin.value - FEE, pubKeyHash: testKey(200 + to).pkh }]);
}

/** Offers `txs` to `node` over the wire as a peer would, and waits until it has handled them. */
export async function inject(f: Fleet, node: SimNode, txs: Tx[]): Promise<void> {
  const { serializeTx } = await import('../../src/core/tx.js');
  const peer = await WirePeer.connect(node.def.port, undefined, 10_000, node.host);
  try {
    await peer.handshake(f.chain[0]!.hash);
    for (const tx of txs) peer.send({ command: 'tx', tx: serializeTx(tx) });
    await peer.ping(20_000);
  } finally {
    peer.close();
  }
}

export async function mineOn(f: Fleet, node: SimNode): Promise<string> {
  const [hash] = await node.rpc<string[]>('generatetoaddress', [1, f.minerAddress(node.i)]);
  return hash!;
}

export interface PropagationResult { block: Spread; tx: Spread; blocks: number; txs: number }

export async function propagation(f: Fleet, blocks: number): Promise<PropagationResult> {
  const src = f.nodes[0]!;
  const blockSamples: number[] = [];
  const txSamples: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const hash = await mineOn(f, src);
    await until(`block ${hash} on every node`, () => f.nodes.every((n) => n.tipAt.has(hash)), 30_000);
    const t0 = src.tipAt.get(hash)!;
    for (const n of f.nodes) if (n !== src) blockSamples.push(n.tipAt.get(hash)! - t0);
    const tx = payTx(f.coins.shift()!, b);
    const id = hashToHex(txid(tx));
    await inject(f, src, [tx]);
    await until(`transaction ${id} on every node`, () => f.nodes.every((n) => n.txAt.has(id)), 30_000);
    const t1 = src.txAt.get(id)!;
    for (const n of f.nodes) if (n !== src) txSamples.push(n.txAt.get(id)! - t1);
    await sleep(200);
  }
  return { block: spread(blockSamples), tx: spread(txSamples), blocks, txs: blocks };
}

export interface PartitionResult {
  converged: boolean;
  convergeMs: number | null;
  reorgDepth: number;
  txLost: number;
  doubleSpends: number;
  healAt: number;
  cutAt: number;
  losingBlocks: string[];
}

export async function partition(f: Fleet, timeoutMs: number): Promise<PartitionResult> {
  const n = f.nodes.length;
  const half = Math.floor(n / 2);
  const side = (i: number): number => (i < half ? 0 : 1);
  const [left, right] = [f.nodes.slice(0, half), f.nodes.slice(half)];
  const cutAt = Date.now();
  for (const l of f.links) if (side(l.a) !== side(l.b)) l.setCut(true);
  await sleep(300);
  // Transactions on each side, and one coin spent differently on each side (a conflicting pair).
  const contested = f.coins.shift()!;
  const leftTxs = [payTx(f.coins.shift()!, 1), payTx(f.coins.shift()!, 2), payTx(contested, 3)];
  const rightTxs = [payTx(f.coins.shift()!, 4), payTx(f.coins.shift()!, 5), payTx(contested, 6)];
  const ids = (txs: Tx[]): string[] => txs.map((t) => hashToHex(txid(t)));
  await inject(f, left[left.length - 1]!, leftTxs);
  await inject(f, right[right.length - 1]!, rightTxs);
  await until('each side\'s transactions at its miner', () => ids(leftTxs).every((id) => left[0]!.txAt.has(id)) && ids(rightTxs).every((id) => right[0]!.txAt.has(id)), 20_000);
  // The left mines 2 blocks, the right 3: the right's chain has the most work.
  const losingBlocks: string[] = [];
  for (let k = 0; k < 3; k++) {
    if (k < 2) losingBlocks.push(await mineOn(f, left[0]!));
    const r = await mineOn(f, right[0]!);
    await until('each half on its own tip', () => left.every((x) => x.tip === left[0]!.tip) && right.every((x) => x.tip === r), 20_000).catch((e) => { dump(f.nodes); throw e; });
    await sleep(300);
  }
  const winner = right[0]!.tip;
  const healAt = Date.now();
  for (const l of f.links) l.setCut(false);
  const convergeMs = await waitConverged(f.nodes, winner, timeoutMs);
  if (convergeMs === null && process.env.SIMNET_DEBUG) {
    for (const x of f.nodes) console.error(`simnet: ${x.def.role} at ${x.height}: peers ${JSON.stringify((await x.rpc<Array<{ addr: string; inbound: boolean }>>('getpeerinfo')).map((p) => `${p.inbound ? 'in' : 'out'}:${p.addr}`))}`);
    for (const l of f.links) console.error(`simnet: link ${l.a}->${l.b} port ${l.port} cut ${l.cut}`);
  }
  await sleep(500);
  // Reorg depth: the left's blocks no longer on the chain after healing.
  let reorgDepth = 0;
  for (const h of losingBlocks) {
    const b = await left[0]!.rpc<{ confirmations: number }>('getblockheader', [h]);
    if (b.confirmations < 0) reorgDepth++;
  }
  // Every losing-side transaction: confirmed in the winning chain, or back in some mempool.
  const tipHeight = right[0]!.height;
  const confirmed = new Set<string>();
  const spent = new Map<string, number>();
  for (let h = CHAIN_LENGTH + 1; h <= tipHeight; h++) {
    const hash = await right[0]!.rpc<string>('getblockhash', [h]);
    const block = await right[0]!.rpc<{ tx: Array<{ txid: string; vin: Array<{ txid?: string; vout?: number }> }> }>('getblock', [hash, 2]);
    for (const tx of block.tx) {
      confirmed.add(tx.txid);
      for (const i of tx.vin) if (i.txid) spent.set(`${i.txid}:${i.vout}`, (spent.get(`${i.txid}:${i.vout}`) ?? 0) + 1);
    }
  }
  const pooled = new Set<string>();
  for (const x of f.nodes) for (const id of await x.rpc<string[]>('getrawmempool', [])) pooled.add(id);
  const [contestedLeft, contestedRight] = [ids(leftTxs)[2]!, ids(rightTxs)[2]!];
  const txLost = ids(leftTxs).slice(0, 2).filter((id) => !confirmed.has(id) && !pooled.has(id)).length;
  const doubleSpends = [...spent.values()].filter((c) => c > 1).length + (confirmed.has(contestedLeft) && confirmed.has(contestedRight) ? 1 : 0);
  return { converged: convergeMs !== null, convergeMs, reorgDepth, txLost, doubleSpends, healAt, cutAt, losingBlocks };
}

export interface ChurnResult { kills: number; converged: boolean; convergeMs: number | null; utxoChecked: number; utxoMismatches: string[] }

/** Mines on live nodes while killing (-9) and restarting random ones; then every node's UTXO set against a reindex. */
export async function churn(f: Fleet, kills: number, seed: number): Promise<ChurnResult> {
  const rnd = seededRandom(seed + 99);
  const pick = (xs: SimNode[]): SimNode => xs[Math.floor(rnd() * xs.length)]!;
  for (let k = 0; k < kills; k++) {
    const victim = pick(f.nodes.slice(1));
    await mineOn(f, pick(f.nodes.filter((x) => x.running && x !== victim)));
    await sleep(Math.floor(rnd() * 400));
    await victim.kill9();
    await mineOn(f, pick(f.nodes.filter((x) => x.running)));
    await sleep(300 + Math.floor(rnd() * 700));
    await victim.start();
    await mineOn(f, pick(f.nodes.filter((x) => x.running)));
  }
  // A block mined while the one before it is still on its way makes two tips of equal work, and
  // nodes keep the one they saw first until a next block breaks the tie, as in any proof-of-work
  // network: the last block is mined again on the first node, at most three times, if that happened.
  let convergeMs: number | null = null;
  for (let attempt = 0; attempt < 3 && convergeMs === null; attempt++) {
    convergeMs = await waitConverged(f.nodes, await mineOn(f, f.nodes[0]!), 15_000);
  }
  for (const x of f.nodes) await x.stop();
  const utxoMismatches: string[] = [];
  for (const x of f.nodes) {
    const r = await runCli(['reindexutxo', ...nodeArgs(x.def), '--json'], { env: { NODE_ID: x.def.id }, timeoutMs: 120_000 });
    if (r.code !== 0) utxoMismatches.push(`${x.def.role}: reindexutxo failed: ${r.stderr.trim().split('\n').pop()}`);
    else if (JSON.parse(r.stdout).changed) utxoMismatches.push(`${x.def.role}: the UTXO set differed from a reindex of its blocks`);
  }
  return { kills, converged: convergeMs !== null, convergeMs, utxoChecked: f.nodes.length, utxoMismatches };
}
