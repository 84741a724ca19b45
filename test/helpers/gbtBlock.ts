// Builds a block from a getblocktemplate answer alone, as an outside miner
// would: coinbase, Merkle root and header by hand with node:crypto's SHA-256.
import { createHash } from 'node:crypto';
import bs58check from 'bs58check';

const sha256d = (b: Buffer): Buffer => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n: number): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const varint = (n: number): Buffer => (n < 0xfd ? Buffer.from([n]) : Buffer.concat([Buffer.from([0xfd]), Buffer.from([n & 0xff, n >> 8])]));
const display = (hex: string): Buffer => Buffer.from(hex, 'hex').reverse();

export interface Gbt {
  version: number; previousblockhash: string; transactions: Array<{ data: string; txid: string }>;
  coinbasevalue: number; target: string; curtime: number; bits: string; height: number;
}

function merkleRoot(leaves: Buffer[]): Buffer {
  let level = leaves;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256d(Buffer.concat([level[i]!, level[i + 1] ?? level[i]!])));
    level = next;
  }
  return level[0]!;
}

export interface GbtBlockOptions { extraNonce?: number; badRoot?: boolean; wantHighHash?: boolean }

/** The block's bytes, with a nonce meeting the target (or, with wantHighHash, one that does not). */
export function blockFromTemplate(t: Gbt, address: string, o: GbtBlockOptions = {}): Buffer {
  const pkh = Buffer.from(bs58check.decode(address)).subarray(1);
  const data = Buffer.concat([u32(t.height), u64(o.extraNonce ?? 0)]);
  const coinbase = Buffer.concat([
    u32(1), varint(1), Buffer.alloc(32), u32(0xffffffff), varint(data.length), data, varint(0),
    varint(1), u64(t.coinbasevalue), pkh,
  ]);
  const txs = t.transactions.map((x) => Buffer.from(x.data, 'hex'));
  let root = merkleRoot([sha256d(coinbase), ...t.transactions.map((x) => display(x.txid))]);
  if (o.badRoot) root = sha256d(root);
  const target = BigInt(`0x${t.target}`);
  for (let nonce = 0; nonce < 1 << 20; nonce++) {
    const header = Buffer.concat([u32(t.version), display(t.previousblockhash), root, u32(t.curtime), u32(parseInt(t.bits, 16)), u32(nonce)]);
    const meets = BigInt(`0x${Buffer.from(sha256d(header)).reverse().toString('hex')}`) <= target;
    if (meets !== (o.wantHighHash === true)) return Buffer.concat([header, varint(1 + txs.length), coinbase, ...txs]);
  }
  throw new Error('no nonce found');
}
