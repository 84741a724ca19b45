// Block locators: how a peer tells us where its chain is, so we can send what
// follows. Dense near the tip (where forks are), exponentially sparse behind it.

import { MAX_LOCATOR_HASHES } from '../core/params.js';

export const MAX_HASHES_AFTER_LOCATOR = 500;

/** Heights to list: the tip, the 9 below it, then steps doubling, always ending at genesis. */
export function locatorHeights(tipHeight: number, genesisHeight: number): number[] {
  const out: number[] = [];
  let step = 1;
  for (let h = tipHeight; h > genesisHeight; h -= step) {
    out.push(h);
    if (out.length >= 10) step *= 2;
  }
  out.push(genesisHeight);
  return out;
}

/** Minimal view of the block index the locator functions need. */
interface MainChainView {
  get(hash: Uint8Array): Promise<{ height: number; hash: Uint8Array } | null>;
  hashAt(height: number): Promise<Uint8Array | null>;
  hashesAt(heights: number[]): Promise<Uint8Array[]>;
}

export function blockLocatorOf(tree: MainChainView, tipHeight: number, genesisHeight: number): Promise<Uint8Array[]> {
  return tree.hashesAt(locatorHeights(tipHeight, genesisHeight));
}

export async function hashesAfter(
  tree: MainChainView, tipHeight: number, genesisHeight: number, locator: Uint8Array[], max: number, stop?: Uint8Array,
): Promise<Uint8Array[]> {
  let forkHeight = genesisHeight;
  for (const hash of locator.slice(0, MAX_LOCATOR_HASHES)) {
    const e = await tree.get(hash);
    const main = e && e.height <= tipHeight ? await tree.hashAt(e.height) : null;
    if (e && main && Buffer.compare(main, e.hash) === 0) { forkHeight = e.height; break; }
  }
  const count = Math.min(Math.max(0, Math.floor(max)), MAX_HASHES_AFTER_LOCATOR, tipHeight - forkHeight);
  const hashes = await tree.hashesAt(Array.from({ length: count }, (_, i) => forkHeight + 1 + i));
  if (stop) {
    const at = hashes.findIndex((h) => Buffer.compare(h, stop) === 0);
    if (at >= 0) return hashes.slice(0, at + 1);
  }
  return hashes;
}
