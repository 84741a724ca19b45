// Test blocks for the storage/chain/mempool tests: deterministic keys, signed
// spends and regtest blocks mined in a few hashes. Times are fixed offsets from
// T0, so a chain built twice is byte-identical.
import { Block } from '../../src/core/block.js';
import { headerHash } from '../../src/core/header.js';
import { merkleRootJs } from '../../src/core/merkle.js';
import { blockSubsidy, NetworkParams, REGTEST } from '../../src/core/params.js';
import { bitsToTarget, hashMeetsTarget } from '../../src/core/pow.js';
import { sha256 } from '../../src/core/hash.js';
import { sighash, sighashCache } from '../../src/core/sighash.js';
import { createCoinbase, Tx, TxOutput, txid, TX_VERSION, NULL_HASH } from '../../src/core/tx.js';
import { publicKeyOf, pubKeyHashOf, signHash } from '../../src/crypto/keys.js';

export const T0 = 1_700_000_000;
/** A clock far enough ahead that no fixture block is "too new". */
export const NOW = (): number => T0 + 10_000_000;

export interface TestKey {
  priv: Uint8Array;
  pub: Uint8Array;
  pkh: Uint8Array;
}

export function testKey(seed: number): TestKey {
  const priv = sha256(new TextEncoder().encode(`pubchain test key ${seed}`));
  const pub = publicKeyOf(priv);
  return { priv, pub, pkh: pubKeyHashOf(pub) };
}

export interface Spendable {
  txid: Uint8Array;
  vout: number;
  value: number;
  key: TestKey;
}

/** Spends `inputs` (each signed by its own key) into `outputs`. */
export function signedTx(inputs: Spendable[], outputs: TxOutput[]): Tx {
  const tx: Tx = {
    version: TX_VERSION,
    inputs: inputs.map((i) => ({ prevTxid: i.txid, vout: i.vout, signature: new Uint8Array(64), pubKey: i.key.pub })),
    outputs,
  };
  const cache = sighashCache(tx);
  inputs.forEach((i, k) => {
    tx.inputs[k]!.signature = signHash(sighash(tx, k, { value: i.value, pubKeyHash: i.key.pkh }, cache), i.key.priv);
  });
  return tx;
}

/** Sets the nonce so the header meets its own bits (regtest: about two tries). */
export function mine(block: Block): Block {
  const target = bitsToTarget(block.header.bits);
  for (let nonce = 0; nonce < 100_000; nonce++) {
    block.header.nonce = nonce;
    if (hashMeetsTarget(headerHash(block.header), target)) return block;
  }
  throw new Error('no nonce found: are these regtest bits?');
}

export interface Built {
  block: Block;
  hash: Uint8Array;
  height: number;
  time: number;
  /** The coinbase output, spendable by `payTo`'s key. */
  reward: Spendable;
}

export interface BlockSpec {
  parent: { hash: Uint8Array; height: number; time: number } | null;
  key: TestKey;
  txs?: Tx[];
  /** Distinguishes sibling blocks (forks) at one height. */
  extraNonce?: number;
  time?: number;
  bits?: number;
  /** Coinbase value; the subsidy by default. */
  reward?: number;
  coinbaseHeight?: number;
  params?: NetworkParams;
}

export function buildBlock(spec: BlockSpec): Built {
  const params = spec.params ?? REGTEST;
  const height = spec.parent ? spec.parent.height + 1 : params.genesisHeight;
  const time = spec.time ?? (spec.parent ? spec.parent.time + 10 : T0);
  const value = spec.reward ?? blockSubsidy(params, height);
  const coinbase = createCoinbase(spec.coinbaseHeight ?? height, [{ value, pubKeyHash: spec.key.pkh }], spec.extraNonce ?? 0);
  const txs = [coinbase, ...(spec.txs ?? [])];
  const block = mine({
    header: {
      version: 1,
      prevHash: spec.parent ? spec.parent.hash : NULL_HASH,
      merkleRoot: merkleRootJs(txs.map(txid)),
      time,
      bits: spec.bits ?? params.genesisBits,
      nonce: 0,
    },
    txs,
  });
  const cbid = txid(coinbase);
  return { block, hash: headerHash(block.header), height, time, reward: { txid: cbid, vout: 0, value, key: spec.key } };
}

/** Outputs of `tx` paying `key`, as spendables. */
export function outputsOf(tx: Tx, key: TestKey): Spendable[] {
  const id = txid(tx);
  const out: Spendable[] = [];
  tx.outputs.forEach((o, vout) => {
    if (Buffer.compare(o.pubKeyHash, key.pkh) === 0) out.push({ txid: id, vout, value: o.value, key });
  });
  return out;
}

/** A chain of `n` blocks after `parent` (or a genesis), each paying `key`, no other transactions. */
export function buildChain(parent: Built | null, n: number, key: TestKey, extraNonce = 0): Built[] {
  const out: Built[] = [];
  let p = parent;
  for (let i = 0; i < n; i++) {
    p = buildBlock({ parent: p, key, extraNonce });
    out.push(p);
  }
  return out;
}
