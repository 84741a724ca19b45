// Minimal, fully valid consensus objects for the core rule tests: a signed
// two-input spend with the coins it needs, and a regtest block that passes every
// block rule. Each test breaks exactly one thing in a fresh copy.
import assert from 'node:assert/strict';
import { Block } from '../../src/core/block.js';
import { Coin, CoinView } from '../../src/core/coin.js';
import { ValidationError } from '../../src/core/errors.js';
import { sha256 } from '../../src/core/hash.js';
import { merkleRootJs } from '../../src/core/merkle.js';
import { blockSubsidy, REGTEST } from '../../src/core/params.js';
import { createCoinbase, outpointKey, Tx, txid, TX_VERSION, NULL_HASH } from '../../src/core/tx.js';
import { BlockContext } from '../../src/core/validate.js';
import { mine, signedTx, Spendable, T0, testKey } from './chainFixtures.js';

export const alice = testKey(101);
export const bob = testKey(102);
export const carol = testKey(103);

/** secp256k1 group order, for building out-of-range and high-S signatures. */
export const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export function bigToBytes32(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
}

export function bytes32ToBig(b: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(b).toString('hex')}`);
}

/** A coin that exists only in a test view, under a made-up txid (no chain needed). */
export function fakeCoin(label: string, value: number, key = alice, vout = 0): Spendable {
  return { txid: sha256(new TextEncoder().encode(`coin ${label}`)), vout, value, key };
}

export class MapView implements CoinView {
  readonly coins = new Map<string, Coin>();
  constructor(spendables: Spendable[] = [], height = 1) {
    for (const s of spendables) this.add(s, height);
  }
  add(s: Spendable, height = 1, coinbase = false): this {
    this.coins.set(outpointKey(s.txid, s.vout), { value: s.value, pubKeyHash: s.key.pkh, height, coinbase });
    return this;
  }
  get(key: string): Coin | undefined {
    return this.coins.get(key);
  }
}

export function cloneTx(tx: Tx): Tx {
  return {
    version: tx.version,
    inputs: tx.inputs.map((i) => ({ prevTxid: Uint8Array.from(i.prevTxid), vout: i.vout, signature: Uint8Array.from(i.signature), pubKey: Uint8Array.from(i.pubKey) })),
    outputs: tx.outputs.map((o) => ({ value: o.value, pubKeyHash: Uint8Array.from(o.pubKeyHash) })),
  };
}

export interface Spend {
  tx: Tx;
  coins: Spendable[];
  view: MapView;
  fee: number;
}

/** alice's and bob's coins (5 and 3 coins) pay carol 6 and alice 1.9: fee 0.1 coin. */
export function validSpend(label = 'spend'): Spend {
  const coins = [fakeCoin(`${label}-a`, 5e8, alice), fakeCoin(`${label}-b`, 3e8, bob, 1)];
  const tx = signedTx(coins, [{ value: 6e8, pubKeyHash: carol.pkh }, { value: 1.9e8, pubKeyHash: alice.pkh }]);
  return { tx, coins, view: new MapView(coins), fee: 0.1e8 };
}

export const BLOCK_HEIGHT = 7;
export const BLOCK_TIME = T0 + 1000;

export interface ValidBlock {
  block: Block;
  spend: Spend;
  view: MapView;
  ctx: BlockContext;
}

/** Rebuilds the Merkle root and re-mines, so a block stays proof-of-work valid after an edit. */
export function seal(txs: Tx[], header: Partial<Block['header']> = {}): Block {
  return mine({
    header: {
      version: 1, prevHash: sha256(new TextEncoder().encode('parent')), merkleRoot: merkleRootJs(txs.map(txid)),
      time: BLOCK_TIME, bits: REGTEST.genesisBits, nonce: 0, ...header,
    },
    txs,
  });
}

export function coinbaseFor(height: number, value: number, extraNonce = 0): Tx {
  return createCoinbase(height, [{ value, pubKeyHash: alice.pkh }], extraNonce);
}

/** Coinbase claiming subsidy + fee, plus the valid spend; passes sanity, context and connect. */
export function validBlock(): ValidBlock {
  const spend = validSpend('block');
  const cb = coinbaseFor(BLOCK_HEIGHT, blockSubsidy(REGTEST, BLOCK_HEIGHT) + spend.fee);
  return {
    block: seal([cb, spend.tx]),
    spend,
    view: spend.view,
    ctx: { height: BLOCK_HEIGHT, expectedBits: REGTEST.genesisBits, medianTimePast: BLOCK_TIME - 1, now: BLOCK_TIME },
  };
}

/** An otherwise empty non-coinbase tx shape, for sanity tests that need no real signature. */
export function unsignedTx(): Tx {
  return { version: TX_VERSION, inputs: [{ prevTxid: NULL_HASH, vout: 0, signature: new Uint8Array(64), pubKey: alice.pub }], outputs: [{ value: 1, pubKeyHash: bob.pkh }] };
}

/** Asserts `fn` throws a ValidationError with `code` (and `ban`, when given). */
export function throwsCode(fn: () => unknown, code: string, ban?: number): ValidationError {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  assert.ok(caught instanceof ValidationError, `expected ValidationError ${code}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (ban !== undefined) assert.equal(caught.banScore, ban, `ban score of ${code}`);
  return caught;
}
