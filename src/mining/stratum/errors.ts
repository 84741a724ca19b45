// mining.submit's error codes, as the common pools and miners use them; every
// error reply is [code, message, null].
export const STRATUM_ERRORS = {
  other: 20,
  stale: 21,
  duplicate: 22,
  lowDifficulty: 23,
  unauthorized: 24,
  notSubscribed: 25,
} as const;

export type RejectReason = 'job-not-found' | 'stale' | 'duplicate' | 'low-difficulty' | 'unauthorized' | 'not-subscribed' | 'other';

export class StratumReject extends Error {
  constructor(readonly code: number, readonly reason: RejectReason, message: string) {
    super(message);
  }
}

export const reject = {
  notFound: () => new StratumReject(STRATUM_ERRORS.stale, 'job-not-found', 'job not found'),
  stale: () => new StratumReject(STRATUM_ERRORS.stale, 'stale', 'stale share: the job is for an old tip'),
  duplicate: () => new StratumReject(STRATUM_ERRORS.duplicate, 'duplicate', 'duplicate share'),
  low: () => new StratumReject(STRATUM_ERRORS.lowDifficulty, 'low-difficulty', 'low difficulty share'),
  unauthorized: (w: string) => new StratumReject(STRATUM_ERRORS.unauthorized, 'unauthorized', `unauthorized worker "${w}"`),
  notSubscribed: () => new StratumReject(STRATUM_ERRORS.notSubscribed, 'not-subscribed', 'not subscribed'),
  other: (message: string) => new StratumReject(STRATUM_ERRORS.other, 'other', message),
};
