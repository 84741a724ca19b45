// Consensus rules as pure functions. Each failure is a ValidationError with a
// stable code and a ban score. Signature checks are returned, not run, so the
// caller can verify them in a batch on a worker pool (or inline, in tests).
import { addAmounts, isValidAmount } from './amount.js';
import { Block, blockSize, serializeWithTxids } from './block.js';
import { ByteWriter, bytesEqual, bytesKey } from './bytes.js';
import { Coin, CoinView } from './coin.js';
import { checkBlockTime } from './difficulty.js';
import { ValidationError, type ValidationCode } from './errors.js';
import { BatchHashers, batchHashersJs, hash160 } from './hash.js';
import { headerHash } from './header.js';
import { hasDuplicateLeaves, MerkleRootFn, merkleRootJs } from './merkle.js';
import { blockSubsidy, NetworkParams } from './params.js';
import { bitsToTarget, hashMeetsTarget } from './pow.js';
import { blockSighashes, sighashes } from './sighash.js';
import {
  COINBASE_DATA_MAX, COINBASE_DATA_MIN, coinbaseHeight, isCoinbase, outpointKey, outpointKeyOf, outpointLabel,
  PUBKEY_HASH_SIZE, PUBKEY_SIZE, SIGNATURE_SIZE, Tx, txSize,
} from './tx.js';

export interface SigCheck {
  msg: Uint8Array;
  signature: Uint8Array;
  pubKey: Uint8Array;
}

export type SigVerifier = (msg: Uint8Array, signature: Uint8Array, pubKey: Uint8Array) => boolean;

const fail = (code: ValidationCode, message: string, ban = 100): never => { throw new ValidationError(code, message, ban); };

// secp256k1 group order n and n/2, big-endian. Low-S means s <= n/2, which
// removes the (r, n - s) twin of every signature. Compared bytewise: this runs
// for every input of every transaction, and BigInt parsing showed in profiles.
export const CURVE_N = Uint8Array.from(Buffer.from('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 'hex'));
const HALF_N = Uint8Array.from(Buffer.from('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0', 'hex'));

/** Compares the 32-byte big-endian integer at sig[offset..] with `bound`. */
function cmp32(sig: Uint8Array, offset: number, bound: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = sig[offset + i]! - bound[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function isZero32(sig: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (sig[offset + i] !== 0) return false;
  return true;
}

export function isCanonicalSignature(sig: Uint8Array): boolean {
  if (sig.length !== SIGNATURE_SIZE) return false;
  return !isZero32(sig, 0) && cmp32(sig, 0, CURVE_N) < 0 && !isZero32(sig, 32) && cmp32(sig, 32, HALF_N) <= 0;
}

/** Rules that need nothing but the transaction itself. */
export function checkTxSanity(tx: Tx, params: NetworkParams): void {
  if (tx.inputs.length === 0) fail('bad-txns-vin-empty', 'transaction has no inputs');
  if (tx.outputs.length === 0) fail('bad-txns-vout-empty', 'transaction has no outputs');
  if (txSize(tx) > params.maxBlockSize) fail('bad-txns-oversize', 'transaction is larger than a block');
  let total = 0;
  for (const o of tx.outputs) {
    if (!isValidAmount(o.value)) fail('bad-txns-vout-toolarge', `output value ${o.value} is out of range`);
    if (o.pubKeyHash.length !== PUBKEY_HASH_SIZE) fail('bad-txns-pkh', 'output public-key hash is not 20 bytes');
    total = addAmounts(total, o.value, 'bad-txns-txouttotal-toolarge');
  }
  if (isCoinbase(tx)) {
    const data = tx.inputs[0]!.signature;
    if (data.length < COINBASE_DATA_MIN || data.length > COINBASE_DATA_MAX) fail('bad-cb-length', `coinbase data is ${data.length} bytes`);
    if (tx.inputs[0]!.pubKey.length !== 0) fail('bad-cb-pubkey', 'coinbase input carries a public key');
    return;
  }
  const inputs = tx.inputs;
  // Duplicates need a set only past two inputs (most transactions have one).
  const seen = inputs.length > 2 ? new Set<string>() : null;
  for (let k = 0; k < inputs.length; k++) {
    const i = inputs[k]!;
    if (i.prevTxid.length !== 32) fail('bad-txns-prevout', 'input txid is not 32 bytes');
    if (seen) {
      const key = outpointKey(i.prevTxid, i.vout);
      if (seen.has(key)) fail('bad-txns-inputs-duplicate', `input ${outpointLabel(key)} is spent twice in one transaction`);
      seen.add(key);
    } else if (k === 1 && i.vout === inputs[0]!.vout && bytesEqual(i.prevTxid, inputs[0]!.prevTxid)) {
      fail('bad-txns-inputs-duplicate', `input ${outpointLabel(outpointKey(i.prevTxid, i.vout))} is spent twice in one transaction`);
    }
    if (i.vout === 0xffffffff && i.prevTxid.every((b) => b === 0)) fail('bad-txns-prevout-null', 'a non-coinbase input spends nothing');
    if (!isCanonicalSignature(i.signature)) fail('non-canonical-signature', 'signature is not a 64-byte low-S compact signature');
    if (i.pubKey.length !== PUBKEY_SIZE || (i.pubKey[0] !== 2 && i.pubKey[0] !== 3)) fail('bad-pubkey', 'public key is not a 33-byte compressed key');
  }
}

export interface TxInputsResult {
  fee: number;
  spent: Coin[];
  sigChecks: SigCheck[];
}

/**
 * Rules against the UTXO set: every input spends an existing unspent output,
 * the spender's key hashes to that output's owner, and inputs cover outputs.
 */
export function checkTxInputs(tx: Tx, view: CoinView, keys?: readonly string[], firstKey = 0): TxInputsResult {
  const { fee, spent } = spendInputs(tx, view, keys, firstKey, null);
  return { fee, spent, sigChecks: sigChecksOf(tx, sighashes(tx, spent), 0) };
}

/**
 * checkTxInputs without the signature checks: the block path hashes every
 * sighash of the block in one batch, and every input's key hash in another
 * (`keyHashes`, 20 bytes per input, input i of this tx at firstKey + i).
 */
function spendInputs(tx: Tx, view: CoinView, keys: readonly string[] | undefined, firstKey: number, keyHashes: Uint8Array | null): { fee: number; spent: Coin[] } {
  const inputs = tx.inputs;
  const spent: Coin[] = new Array(inputs.length);
  let inTotal = 0;
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index]!;
    const key = keys ? keys[firstKey + index]! : outpointKey(input.prevTxid, input.vout);
    const coin = view.get(key);
    if (!coin) throw new ValidationError('missing-inputs', `input ${outpointLabel(key)} is unknown or already spent`, 0, { outpoint: outpointLabel(key) });
    const owned = keyHashes ? ownsAt(keyHashes, (firstKey + index) * PUBKEY_HASH_SIZE, coin.pubKeyHash) : bytesEqual(hash160(input.pubKey), coin.pubKeyHash);
    if (!owned) fail('bad-txns-wrong-owner', `input ${outpointLabel(key)} is signed by a key that does not own it`);
    inTotal = addAmounts(inTotal, coin.value, 'bad-txns-inputvalues-outofrange');
    spent[index] = coin;
  }
  let outTotal = 0;
  for (const o of tx.outputs) outTotal = addAmounts(outTotal, o.value, 'bad-txns-txouttotal-toolarge');
  if (inTotal < outTotal) fail('bad-txns-in-belowout', `inputs ${inTotal} are below outputs ${outTotal}`);
  return { fee: inTotal - outTotal, spent };
}

function ownsAt(keyHashes: Uint8Array, at: number, pubKeyHash: Uint8Array): boolean {
  if (pubKeyHash.length !== PUBKEY_HASH_SIZE) return false;
  for (let i = 0; i < PUBKEY_HASH_SIZE; i++) if (keyHashes[at + i] !== pubKeyHash[i]) return false;
  return true;
}

// The writer and message ends inputKeyHashes reuses (synchronous callers only).
const keyWriter = new ByteWriter(1 << 15);
const keyEnds: number[] = [];

/** HASH160 of every input's public key after the coinbase, in input order, 20 bytes each. */
function inputKeyHashes(block: Block, hashers: BatchHashers): Uint8Array {
  const w = keyWriter.reset();
  let n = 0;
  for (let t = 1; t < block.txs.length; t++) for (const i of block.txs[t]!.inputs) { w.bytes(i.pubKey); keyEnds[n++] = w.length; }
  return hashers.hash160(w.finish(), keyEnds, n);
}

/** The checks of tx's inputs, whose sighashes are msgs[at..]. */
function sigChecksOf(tx: Tx, msgs: readonly Uint8Array[], at: number, out: SigCheck[] = new Array(tx.inputs.length), outAt = 0): SigCheck[] {
  const inputs = tx.inputs;
  for (let i = 0; i < inputs.length; i++) out[outAt + i] = { msg: msgs[at + i]!, signature: inputs[i]!.signature, pubKey: inputs[i]!.pubKey };
  return out;
}

export function verifySigChecks(checks: SigCheck[], verify: SigVerifier): void {
  for (const c of checks) {
    if (!verify(c.msg, c.signature, c.pubKey)) fail('bad-signature', 'a signature does not verify');
  }
}

export function checkProofOfWork(hash: Uint8Array, bits: number, params: NetworkParams): void {
  const target = bitsToTarget(bits);
  if (target === 0n || target > params.powLimit) fail('bad-diffbits', `bits 0x${bits.toString(16)} are outside the network's range`);
  if (!hashMeetsTarget(hash, target)) fail('high-hash', 'block hash does not meet its proof-of-work target', 50);
}

export interface BlockSanity {
  hash: Uint8Array;
  txids: Uint8Array[];
  /** serializeBlock(block): what is stored. */
  bytes: Uint8Array;
}

/** Context-free block rules: proof of work against its own bits, structure, Merkle root, size. */
export function checkBlockSanity(block: Block, params: NetworkParams, merkleRoot: MerkleRootFn = merkleRootJs, hashers: BatchHashers = batchHashersJs): BlockSanity {
  const hash = headerHash(block.header);
  checkProofOfWork(hash, block.header.bits, params);
  if (block.txs.length === 0) fail('bad-blk-length', 'block has no transactions');
  const size = blockSize(block);
  if (size > params.maxBlockSize) fail('bad-blk-length', `block is above ${params.maxBlockSize} bytes`);
  if (!isCoinbase(block.txs[0]!)) fail('bad-cb-missing', 'first transaction is not a coinbase');
  for (let i = 1; i < block.txs.length; i++) if (isCoinbase(block.txs[i]!)) fail('bad-cb-multiple', `transaction ${i} is a second coinbase`);
  for (const tx of block.txs) checkTxSanity(tx, params);
  const { bytes, txids } = serializeWithTxids(block, hashers, size);
  if (hasDuplicateLeaves(txids)) fail('bad-txns-duplicate', 'block repeats a transaction');
  if (!bytesEqual(merkleRoot(txids), block.header.merkleRoot)) fail('bad-txnmrklroot', 'Merkle root does not match the transactions');
  return { hash, txids, bytes };
}

export interface BlockContext {
  height: number;
  expectedBits: number;
  medianTimePast: number;
  now: number;
}

/** Rules that depend on the block's place in the chain. */
export function checkBlockContext(block: Block, ctx: BlockContext, params: NetworkParams): void {
  if (block.header.bits !== ctx.expectedBits) fail('bad-diffbits', `bits 0x${block.header.bits.toString(16)} differ from the expected 0x${ctx.expectedBits.toString(16)}`);
  checkBlockTime(params, block.header.time, ctx.medianTimePast, ctx.now);
  const h = coinbaseHeight(block.txs[0]!);
  if (h !== ctx.height) fail('bad-cb-height', `coinbase says height ${h}, block is at ${ctx.height}`);
}

export interface ConnectResult {
  fees: number;
  /** Coins this block spends, in input order: the block's undo data. */
  spent: Array<{ key: string; coin: Coin }>;
  created: Array<{ key: string; coin: Coin }>;
  sigChecks: SigCheck[];
}

/**
 * Applies a block's transactions to a view of the UTXO set before it. Outputs
 * created earlier in the block may be spent later in it; nothing is spent twice.
 */
export function connectBlockTxs(
  block: Block, txids: Uint8Array[], view: CoinView, height: number, params: NetworkParams, inputKeys: readonly string[] = blockInputKeys(block),
  hashers: BatchHashers = batchHashersJs,
): ConnectResult {
  const created = new Map<string, Coin>();
  const spentKeys = new Set<string>();
  const overlay: CoinView = {
    get: (key) => (spentKeys.has(key) ? undefined : created.get(key) ?? view.get(key)),
  };
  const result: ConnectResult = { fees: 0, spent: [], created: [], sigChecks: [] };
  const txs = block.txs;
  // Each spender's coins, for the block's sighashes (hashed in one batch once every input is known).
  const spenders: Tx[] = new Array(txs.length - 1);
  const spentCoins: Coin[][] = new Array(txs.length - 1);
  const keyHashes = inputKeyHashes(block, hashers);
  let at = 0;
  for (let t = 0; t < txs.length; t++) {
    const tx = txs[t]!;
    if (t > 0) {
      const r = spendInputs(tx, overlay, inputKeys, at, keyHashes);
      spenders[t - 1] = tx;
      spentCoins[t - 1] = r.spent;
      for (let k = 0; k < tx.inputs.length; k++) {
        const key = inputKeys[at + k]!;
        // A coin born and spent inside this block never reaches the UTXO set or its undo data.
        if (created.delete(key)) continue;
        spentKeys.add(key);
        result.spent.push({ key, coin: r.spent[k]! });
      }
      at += tx.inputs.length;
      result.fees = addAmounts(result.fees, r.fee);
    }
    const idKey = bytesKey(txids[t]!);
    const outputs = tx.outputs;
    for (let vout = 0; vout < outputs.length; vout++) {
      const o = outputs[vout]!;
      created.set(outpointKeyOf(idKey, vout), { value: o.value, pubKeyHash: o.pubKeyHash, height, coinbase: t === 0 });
    }
  }
  const allowed = addAmounts(blockSubsidy(params, height), result.fees);
  const paid = txs[0]!.outputs.reduce((s, o) => addAmounts(s, o.value), 0);
  if (paid > allowed) fail('bad-cb-amount', `coinbase pays ${paid}, more than subsidy plus fees ${allowed}`);
  const msgs = blockSighashes(spenders, spentCoins, hashers);
  const checks: SigCheck[] = result.sigChecks = new Array(msgs.length);
  for (let t = 0, m = 0; t < spenders.length; m += spenders[t]!.inputs.length, t++) sigChecksOf(spenders[t]!, msgs, m, checks, m);
  for (const [key, coin] of created) result.created.push({ key, coin });
  return result;
}

/** The outpoint key of every input of the block's transactions after the coinbase, in order. */
export function blockInputKeys(block: Block): string[] {
  const out: string[] = [];
  for (let t = 1; t < block.txs.length; t++) for (const i of block.txs[t]!.inputs) out.push(outpointKey(i.prevTxid, i.vout));
  return out;
}
