// The log events a reader waits for (tests, the demo, an operator's tooling):
// each is logged with a stable `event` field, `log.info({ event: EV.newTip, ... },
// 'new tip')`, so the human text can change without breaking anyone who waits.
import { P2P_LOG_EVENTS } from '../p2p/logEvents.js';

export const EV = {
  ...P2P_LOG_EVENTS,
  listening: 'listening',
  chainLoaded: 'chain-loaded',
  newTip: 'new-tip',
  nodeReady: 'node-ready',
  stoppedCleanly: 'stopped-cleanly',
  minedBlock: 'mined-block',
  syncProgress: 'sync-progress',
  minerHashRate: 'miner-hash-rate',
  peerStalled: 'peer-stalled',
  reorgReturnedTxs: 'reorg-returned-txs',
  // A peer's block or transaction refused (see penalise.ts).
  malformedBlock: 'malformed-block',
  invalidBlock: 'invalid-block',
  invalidHeaders: 'invalid-headers',
  invalidGenesis: 'invalid-genesis',
  malformedTx: 'malformed-tx',
  invalidTx: 'invalid-tx',
} as const;

export type LogEvent = (typeof EV)[keyof typeof EV];

/** Matches a JSON log line that carries `event`. */
export function eventPattern(event: LogEvent): RegExp {
  return new RegExp(`"event":"${event}"`);
}
