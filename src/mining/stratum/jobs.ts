// Stratum jobs. The block template (mining/template.ts: tip context, chosen
// transactions, fees, coinbase value, time) is built once per refresh and
// shared; each connection's job adds only its own coinbase, split around the
// extra-nonce so that  coinbase = coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2.
// The coinbase data is height (u32 LE) ‖ extranonce1 (4) ‖ extranonce2 (4) ‖ "stratum":
// the 8 extra-nonce bytes go in as they are (core's coinbaseData), never as a
// u64 number, so no field can reach 2^53; the tag keeps these coinbases apart
// from the node's own miner's (docs/consensus.md).
import type { Block } from '../../core/block.js';
import { hashToHex, varintSize } from '../../core/bytes.js';
import { parseHeader } from '../../core/header.js';
import { sha256d } from '../../core/hash.js';
import { createCoinbase, EXTRA_NONCE_SIZE, parseTx, serializeTx } from '../../core/tx.js';
import type { BlockTemplate } from '../template.js';
import { hashShare, merkleRootFromBranch, swapWords, targetForDifficulty, u32Hex, type ShareResult } from './share.js';

export const EXTRANONCE1_SIZE = 4;
export const EXTRANONCE2_SIZE = EXTRA_NONCE_SIZE - EXTRANONCE1_SIZE;
export const STRATUM_TAG = new TextEncoder().encode('stratum');

/** What every connection's job shares: one block template per tip or mempool refresh. */
export interface StratumTemplate {
  seq: number;
  base: BlockTemplate;
  /** Merkle path of the coinbase (leaf 0), in hash-output order. */
  branch: Uint8Array[];
  createdAt: number;
}

/** The Merkle siblings of leaf 0, level by level (an odd level pairs its last hash with itself). */
export function coinbaseBranch(txids: readonly Uint8Array[]): Uint8Array[] {
  const branch: Uint8Array[] = [];
  let rest = txids;
  const buf = new Uint8Array(64);
  while (rest.length > 0) {
    branch.push(rest[0]!);
    const next: Uint8Array[] = [];
    for (let i = 1; i < rest.length; i += 2) {
      buf.set(rest[i]!, 0);
      buf.set(rest[i + 1] ?? rest[i]!, 32);
      next.push(sha256d(buf));
    }
    rest = next;
  }
  return branch;
}

export function makeTemplate(seq: number, base: BlockTemplate): StratumTemplate {
  return { seq, base, branch: coinbaseBranch(base.txs.map((t) => t.txid)), createdAt: Date.now() };
}

export interface Job {
  id: string;
  template: StratumTemplate;
  coinb1: Uint8Array;
  coinb2: Uint8Array;
  extranonce1: Uint8Array;
  difficulty: number;
  shareTarget: bigint;
  /** extranonce2:ntime:nonce of every share taken on this job. */
  seen: Set<string>;
}

/** The coinbase paying `pubKeyHash`, split around the 8 extra-nonce bytes. */
export function splitCoinbase(height: number, value: number, pubKeyHash: Uint8Array): { coinb1: Uint8Array; coinb2: Uint8Array } {
  const tx = createCoinbase(height, [{ value, pubKeyHash }], new Uint8Array(EXTRA_NONCE_SIZE), STRATUM_TAG);
  const bytes = serializeTx(tx);
  // version, input count, outpoint, data length, height: then the extra-nonce.
  const at = 4 + varintSize(1) + 36 + varintSize(tx.inputs[0]!.signature.length) + 4;
  return { coinb1: bytes.slice(0, at), coinb2: bytes.slice(at + EXTRA_NONCE_SIZE) };
}

export function buildJob(id: string, template: StratumTemplate, pubKeyHash: Uint8Array, extranonce1: Uint8Array, difficulty: number): Job {
  const { coinb1, coinb2 } = splitCoinbase(template.base.height, template.base.coinbaseValue, pubKeyHash);
  const shareTarget = targetForDifficulty(difficulty);
  return { id, template, coinb1, coinb2, extranonce1, difficulty, shareTarget, seen: new Set() };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** mining.notify's params, in the byte orders cpuminer reads (docs/mining.md). */
export function notifyParams(job: Job, clean: boolean): unknown[] {
  const t = job.template.base;
  return [
    job.id, hex(swapWords(t.prevHash)), hex(job.coinb1), hex(job.coinb2), job.template.branch.map(hex),
    u32Hex(t.version), u32Hex(t.bits), u32Hex(t.time), clean,
  ];
}

export function coinbaseBytes(job: Job, extranonce2: Uint8Array): Uint8Array {
  const out = new Uint8Array(job.coinb1.length + EXTRANONCE1_SIZE + EXTRANONCE2_SIZE + job.coinb2.length);
  out.set(job.coinb1, 0);
  out.set(job.extranonce1, job.coinb1.length);
  out.set(extranonce2, job.coinb1.length + EXTRANONCE1_SIZE);
  out.set(job.coinb2, job.coinb1.length + EXTRANONCE1_SIZE + EXTRANONCE2_SIZE);
  return out;
}

export interface SolvedShare extends ShareResult {
  coinbase: Uint8Array;
}

/** Rebuilds and hashes the header a miner built from this job and its submit. */
export function checkShare(job: Job, extranonce2: Uint8Array, time: number, nonce: number): SolvedShare {
  const coinbase = coinbaseBytes(job, extranonce2);
  const t = job.template.base;
  const merkleRoot = merkleRootFromBranch(coinbase, job.template.branch);
  return { ...hashShare({ version: t.version, prevHash: t.prevHash, merkleRoot, time, bits: t.bits, nonce }), coinbase };
}

/** The full block behind a share that met the block target. */
export function blockOfShare(job: Job, share: SolvedShare): Block {
  return { header: parseHeader(share.header), txs: [parseTx(share.coinbase), ...job.template.base.txs.map((t) => t.tx)] };
}

export function describeTemplate(t: StratumTemplate): Record<string, unknown> {
  return { height: t.base.height, prev: hashToHex(t.base.prevHash), txs: t.base.txs.length, seq: t.seq };
}
