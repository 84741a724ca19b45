// Network parameters. The genesis block is not fixed: `createblockchain` mines
// one, and its hash identifies the chain (peers compare it in the handshake).
import { COIN } from './amount.js';
import { bitsToTarget } from './pow.js';

/** A block locator lists at most this many hashes: ours (chain/blockLocator.ts) never more, a peer's is refused beyond it (p2p/messages.ts). */
export const MAX_LOCATOR_HASHES = 101;

export type NetworkName = 'main' | 'regtest';

export interface NetworkParams {
  name: NetworkName;
  /** First 4 bytes of every wire frame. */
  magic: Uint8Array;
  /** Bits of the genesis block, and of every block until the first retarget. */
  genesisBits: number;
  /** The easiest target a block may ever have. */
  powLimit: bigint;
  retargetInterval: number;
  targetSpacing: number;
  noRetarget: boolean;
  subsidy: number;
  halvingInterval: number;
  maxBlockSize: number;
  maxFutureSeconds: number;
  medianTimeSpan: number;
  /** Height of the genesis block: 1, as in the tutorial (`printchain` ends at height 1). */
  genesisHeight: number;
}

const common = {
  subsidy: 25 * COIN,
  halvingInterval: 420_000,
  maxBlockSize: 1_000_000,
  maxFutureSeconds: 2 * 60 * 60,
  medianTimeSpan: 11,
  genesisHeight: 1,
  retargetInterval: 20,
  targetSpacing: 10,
};

export const MAIN: NetworkParams = {
  ...common,
  name: 'main',
  magic: Uint8Array.of(0x70, 0x62, 0x63, 0x6d), // "pbcm"
  // 0x1e100000 is 2^236: about 2^20 (a million) hashes per block.
  genesisBits: 0x1e100000,
  powLimit: bitsToTarget(0x1f00ffff),
  noRetarget: false,
};

export const REGTEST: NetworkParams = {
  ...common,
  name: 'regtest',
  magic: Uint8Array.of(0x70, 0x62, 0x63, 0x72), // "pbcr"
  // About two hashes per block: tests mine instantly.
  genesisBits: 0x207fffff,
  powLimit: bitsToTarget(0x207fffff),
  noRetarget: true,
};

export function networkParams(name: string): NetworkParams {
  if (name === 'main') return MAIN;
  if (name === 'regtest') return REGTEST;
  throw new RangeError(`unknown network "${name}": use main or regtest`);
}

export function blockSubsidy(params: NetworkParams, height: number): number {
  const halvings = Math.floor((height - params.genesisHeight) / params.halvingInterval);
  return halvings >= 52 ? 0 : Math.floor(params.subsidy / 2 ** halvings);
}
