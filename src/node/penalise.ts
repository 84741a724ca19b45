// What a peer's bad block or transaction costs it: the rule's ban score, and
// one log line naming the rule. Written once for every room that takes data
// from peers (block download, genesis adoption, transaction relay).
import { PubchainError, ValidationError } from '../core/errors.js';
import { EV } from './logEvents.js';
import type { Logger } from './logger.js';
import type { ProtocolPeer } from './peerPort.js';

const OFFENCES = {
  [EV.malformedBlock]: 'malformed block',
  [EV.invalidBlock]: 'invalid block',
  [EV.invalidHeaders]: 'invalid headers',
  [EV.invalidGenesis]: 'invalid genesis block',
  [EV.malformedTx]: 'malformed transaction',
  [EV.invalidTx]: 'invalid transaction',
} as const;

export type Offence = keyof typeof OFFENCES;
export type Penalise = (peer: ProtocolPeer, err: unknown, offence: Offence) => void;

export function penaliser(log: Logger): Penalise {
  return (peer, err, offence) => {
    const what = OFFENCES[offence];
    if (err instanceof ValidationError) {
      if (err.banScore > 0) peer.misbehave(err.banScore, `${what}: ${err.code}`);
      log.info({ event: offence, peer: peer.id, code: err.code, reason: err.message }, what);
      return;
    }
    // The node is stopping under this message: nothing was written, nothing to report.
    if (err instanceof PubchainError && (err.code === 'db-closed' || err.code === 'chain-closed')) {
      log.debug({ peer: peer.id, code: err.code }, `${what}: dropped at shutdown`);
      return;
    }
    log.error({ peer: peer.id, err }, `${what}: unexpected error`);
  };
}
