// Mines one header: searches the nonce space of the header built for an
// extra-nonce, and when that space is exhausted moves to the next extra-nonce
// (a new coinbase, so a new Merkle root and a fresh nonce space).
import { NONCE_SPACE, type NonceSearcher } from '../wasm/nonceSearch.js';

export interface MineHeaderOptions {
  signal?: AbortSignal;
  startExtraNonce?: number;
  /** Nonces tried per header, from 0 (default all 2^32); tests shrink it to reach the extra-nonce bump. */
  nonceSpace?: number;
}

export interface MinedHeader {
  /** The 80-byte header with the winning nonce written (u32 LE at offset 76). */
  header: Uint8Array;
  extraNonce: number;
  nonce: number;
  /** Hashes over every header tried. */
  hashes: number;
}

const NONCE_OFFSET = 76;

/** Resolves with the mined header, or null once the signal aborts. */
export async function mineHeader(
  searcher: NonceSearcher,
  makeHeader: (extraNonce: number) => Uint8Array,
  targetLE: Uint8Array,
  opts: MineHeaderOptions = {},
): Promise<MinedHeader | null> {
  const space = opts.nonceSpace ?? NONCE_SPACE;
  if (!Number.isInteger(space) || space < 1 || space > NONCE_SPACE) throw new RangeError(`nonceSpace must be 1..2^32, got ${space}`);
  let extraNonce = (opts.startExtraNonce ?? 0) >>> 0;
  let hashes = 0;
  for (;;) {
    if (opts.signal?.aborted) return null;
    const header = makeHeader(extraNonce);
    if (header.length !== 80) throw new RangeError(`makeHeader must return 80 bytes, got ${header.length}`);
    const r = await searcher.search(header, targetLE, { signal: opts.signal, startNonce: 0, count: space });
    hashes += r.hashes;
    if (r.nonce !== null) {
      const mined = Uint8Array.from(header);
      new DataView(mined.buffer).setUint32(NONCE_OFFSET, r.nonce, true);
      return { header: mined, extraNonce, nonce: r.nonce, hashes };
    }
    extraNonce = (extraNonce + 1) >>> 0;
  }
}
