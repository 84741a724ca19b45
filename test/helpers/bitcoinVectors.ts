// Published Bitcoin test vectors shared by the kernel and pool tests.
import { hexToHash } from '../../src/core/bytes.js';
import { serializeHeader } from '../../src/core/header.js';

/** Bitcoin's genesis block: its header with the nonce zeroed, and the nonce that solves it. */
export const GENESIS_NONCE = 2083236893;
export const GENESIS_BITS = 0x1d00ffff;
export const genesisHeader = serializeHeader({
  version: 1,
  prevHash: new Uint8Array(32),
  merkleRoot: hexToHash('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'),
  time: 1231006505,
  bits: GENESIS_BITS,
  nonce: 0,
});
