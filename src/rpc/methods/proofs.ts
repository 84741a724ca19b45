// Transaction inclusion proofs, as bitcoind's gettxoutproof/verifytxoutproof:
// the block header and a BIP37 partial Merkle tree over the block's txids
// (src/core/partialMerkle.ts), hex-encoded. A proof verifies when its tree
// hashes to the header's Merkle root and the header is on our main chain,
// read through the header port: a full node's block index or a light node's
// header chain answer with the same code.
import { blockTxids } from '../../core/block.js';
import { bytesKey, fromHex, hashToHex, toHex } from '../../core/bytes.js';
import { ValidationError } from '../../core/errors.js';
import { headerHash } from '../../core/header.js';
import { buildPartialMerkleTree, extractMatches, parseTxOutProof, serializeTxOutProof } from '../../core/partialMerkle.js';
import type { Chain } from '../../chain/chain.js';
import { invalidParameter, notFound } from '../rpcErrors.js';
import type { HeaderChainPort } from '../ports.js';
import type { RpcBaseContext, RpcMethod } from '../types.js';
import { requireTip } from './blockJson.js';
import { hash, isMissing, str, stringList } from './params.js';

const MAX_PROOF_TXIDS = 10_000;
/** Outputs looked at to find a transaction's block from its unspent coins, when no block hash is given. */
const UTXO_SCAN_OUTPUTS = 256;

/** The block holding one of `txids`, found from an unspent output of it (as bitcoind without -txindex). */
async function blockOfUnspent(chain: Chain, txid: Uint8Array): Promise<Uint8Array | null> {
  for (let vout = 0; vout < UTXO_SCAN_OUTPUTS; vout++) {
    const coin = await chain.getCoin(txid, vout);
    if (coin) return chain.getHashAtHeight(coin.height);
  }
  return null;
}

export async function txOutProof(chain: Chain, txids: Uint8Array[], blockHash: Uint8Array | null): Promise<Uint8Array> {
  const seen = new Set<string>();
  for (const id of txids) {
    if (seen.has(bytesKey(id))) throw invalidParameter(`Invalid parameter, duplicated txid: ${hashToHex(id)}`);
    seen.add(bytesKey(id));
  }
  const at = blockHash ?? (await blockOfUnspent(chain, txids[0]!));
  if (!at) throw notFound('Transaction not yet in block');
  const entry = await chain.getIndex(at);
  if (!entry) throw notFound('Block not found');
  const block = await chain.getBlock(at);
  if (!block) throw notFound("Can't read block from disk");
  const ids = blockTxids(block);
  const match = ids.map((id) => seen.has(bytesKey(id)));
  if (match.filter(Boolean).length !== seen.size) throw notFound('Not all transactions found in specified or retrieved block');
  return serializeTxOutProof({ header: block.header, tree: buildPartialMerkleTree(ids, match) });
}

export interface ProofCheck {
  /** The proven txids, in block order; empty when the tree does not hash to the header's Merkle root. */
  txids: string[];
  blockhash: string;
  height: number;
}

/**
 * Checks a proof against the chain's headers. A malformed proof is -8 ('bad-encoding' in
 * data); a block not on the main chain is -5, as bitcoind answers "Block not found in chain".
 */
export async function checkTxOutProof(headers: HeaderChainPort, proofHex: string): Promise<ProofCheck> {
  if (!/^([0-9a-fA-F]{2})+$/.test(proofHex)) throw invalidParameter('proof must be hexadecimal string');
  let matches: ReturnType<typeof extractMatches>['matches'];
  let root: Uint8Array;
  let proof: ReturnType<typeof parseTxOutProof>;
  try {
    proof = parseTxOutProof(fromHex(proofHex));
    ({ root, matches } = extractMatches(proof.tree));
  } catch (e) {
    if (e instanceof ValidationError) throw invalidParameter(`proof is malformed: ${e.message}`);
    throw e;
  }
  const id = headerHash(proof.header);
  const entry = await headers.onBestChain(id);
  if (!entry) throw notFound('Block not found in chain');
  const result = { blockhash: hashToHex(id), height: entry.height, txids: [] as string[] };
  if (toHex(root) !== toHex(entry.header.merkleRoot)) return result;
  // Where the body is at hand, the proof's transaction count must be the block's.
  const nTx = await headers.txCount(id);
  if (nTx !== null && nTx !== proof.tree.total) return result;
  result.txids = matches.map((m) => hashToHex(m.txid));
  return result;
}

/** verifytxoutproof: one implementation for full and light nodes. */
export const verifyTxOutProofMethod: RpcMethod<RpcBaseContext> = {
  name: 'verifytxoutproof',
  params: [{ name: 'proof' }],
  description: 'The txids a gettxoutproof proof proves, if its block is on the main chain ([] when its tree does not hash to the block\'s Merkle root).',
  run: async (ctx, [proof]) => (await checkTxOutProof(ctx.headers, str(proof, 'proof'))).txids,
};

export const proofMethods: RpcMethod[] = [
  {
    name: 'gettxoutproof',
    params: [{ name: 'txids' }, { name: 'blockhash', optional: true }],
    description: 'Hex proof that the txids are in a block (the header and a partial Merkle tree); without blockhash, the block is found from an unspent output of the first txid.',
    run: async (ctx, [txids, blockhash]) => {
      requireTip(ctx.chain);
      const ids = stringList(txids, 'txids', MAX_PROOF_TXIDS).map((t, i) => hash(t, `txids[${i}]`));
      return toHex(await txOutProof(ctx.chain, ids, isMissing(blockhash) ? null : hash(blockhash, 'blockhash')));
    },
  },
  verifyTxOutProofMethod,
];
