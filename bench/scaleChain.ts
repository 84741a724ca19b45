// The scale bench's blocks: after a fan-out, blocks of 1,000 one-in-eight-out
// transactions, each spending a coin drawn at random from every coin confirmed
// so far, so the UTXO set grows by 7,000 coins a block and reads land all over
// it, as a real node's do. Blocks are kept serialized (as they arrive from a
// peer) to keep the builder's memory out of the figures; coins are held in
// typed arrays for the same reason. Signed with libsecp256k1 (the `secp256k1`
// package), deterministic from the seed.
import { createRequire } from 'node:module';
import { Block, serializeBlock } from '../src/core/block.js';
import { sha256 } from '../src/core/hash.js';
import { headerHash } from '../src/core/header.js';
import { merkleRootJs } from '../src/core/merkle.js';
import { blockSubsidy, REGTEST } from '../src/core/params.js';
import { sighash, sighashCache } from '../src/core/sighash.js';
import { createCoinbase, NULL_HASH, Tx, TX_VERSION, txid } from '../src/core/tx.js';
import { publicKeyOf, pubKeyHashOf } from '../src/crypto/keys.js';
import { mine as mineRegtest } from '../test/helpers/chainFixtures.js';

const params = REGTEST;
export const SCALE_T0 = 1_700_000_000;
export const SCALE_TXS_PER_BLOCK = 1000;
const OUTPUTS = 8;

interface Signer { ecdsaSign(msg32: Uint8Array, key: Uint8Array): { signature: Uint8Array } }
const secp = createRequire(import.meta.url)('secp256k1') as Signer;

/** xorshift32: the same draws every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export interface ScaleChain {
  genesis: Block;
  /** The fan-out block, then the spending blocks, serialized. */
  blocks: Uint8Array[];
  /** Coins in the UTXO set after the last block. */
  coins: number;
}

/** Enough spending blocks that the UTXO set reaches `targetCoins`. */
export function buildScaleChain(targetCoins: number, seed = 1): ScaleChain {
  const priv = sha256(new TextEncoder().encode('pubchain scale bench key'));
  const pub = publicKeyOf(priv);
  const pkh = pubKeyHashOf(pub);
  const rand = prng(seed);
  const spendBlocks = Math.ceil(targetCoins / (SCALE_TXS_PER_BLOCK * (OUTPUTS - 1)));
  const cap = SCALE_TXS_PER_BLOCK + spendBlocks * SCALE_TXS_PER_BLOCK * (OUTPUTS - 1);
  const txids: Uint8Array[] = [];
  const coinTx = new Uint32Array(cap);
  const coinVout = new Uint16Array(cap);
  const coinValue = new Float64Array(cap);
  let coins = 0;
  const addOutputs = (tx: Tx): void => {
    const t = txids.push(txid(tx)) - 1;
    tx.outputs.forEach((o, vout) => { coinTx[coins] = t; coinVout[coins] = vout; coinValue[coins] = o.value; coins++; });
  };
  const makeBlock = (prevHash: Uint8Array, height: number, txs: Tx[]): Block => {
    const all = [createCoinbase(height, [{ value: blockSubsidy(params, height), pubKeyHash: pkh }]), ...txs];
    return mineRegtest({ header: { version: 1, prevHash, merkleRoot: merkleRootJs(all.map(txid)), time: SCALE_T0 + height * 10, bits: params.genesisBits, nonce: 0 }, txs: all });
  };
  const spend = (prevTxid: Uint8Array, vout: number, value: number, outputs: number): Tx => {
    const share = Math.floor(value / outputs);
    const tx: Tx = {
      version: TX_VERSION,
      inputs: [{ prevTxid, vout, signature: new Uint8Array(64), pubKey: pub }],
      outputs: Array.from({ length: outputs }, (_, i) => ({ value: i === 0 ? value - share * (outputs - 1) : share, pubKeyHash: pkh })),
    };
    tx.inputs[0]!.signature = Uint8Array.from(secp.ecdsaSign(sighash(tx, 0, { value, pubKeyHash: pkh }, sighashCache(tx)), priv).signature);
    return tx;
  };

  const genesis = makeBlock(NULL_HASH, params.genesisHeight, []);
  const cb = genesis.txs[0]!;
  const fan = spend(txid(cb), 0, cb.outputs[0]!.value, SCALE_TXS_PER_BLOCK);
  addOutputs(fan);
  let prev = makeBlock(headerHash(genesis.header), params.genesisHeight + 1, [fan]);
  const blocks = [serializeBlock(prev)];
  for (let b = 0; b < spendBlocks; b++) {
    // Draw from the coins confirmed before this block (swap-remove: O(1) each).
    const txs: Tx[] = [];
    for (let k = 0; k < SCALE_TXS_PER_BLOCK; k++) {
      const i = Math.floor(rand() * coins);
      txs.push(spend(txids[coinTx[i]!]!, coinVout[i]!, coinValue[i]!, OUTPUTS));
      coins--;
      coinTx[i] = coinTx[coins]!; coinVout[i] = coinVout[coins]!; coinValue[i] = coinValue[coins]!;
    }
    for (const tx of txs) addOutputs(tx);
    prev = makeBlock(headerHash(prev.header), params.genesisHeight + 2 + b, txs);
    blocks.push(serializeBlock(prev));
  }
  return { genesis, blocks, coins };
}
