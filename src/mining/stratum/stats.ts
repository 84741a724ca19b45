// Figures for getstratuminfo and getmininginfo: shares by outcome, blocks,
// workers with their estimated hash rates, and the new-tip notify delay.
import { hashToHex } from '../../core/bytes.js';
import type { RejectReason } from './errors.js';
import type { StratumTemplate } from './jobs.js';
import type { Session } from './session.js';
import { difficultyForTarget } from './share.js';

const DELAYS_KEPT = 1000;

export interface StratumWorkerInfo {
  address: string;
  workers: string[];
  extranonce1: string;
  difficulty: number;
  hashrate: number;
  accepted: number;
  rejected: number;
  connectedsince: number;
}

export interface StratumInfo {
  bind: string;
  port: number;
  connections: number;
  workers: StratumWorkerInfo[];
  hashrate: number;
  shares: { accepted: number; rejected: Record<RejectReason, number> };
  blocksfound: number;
  blocksrejected: Record<string, number>;
  /** Milliseconds from a new tip to the last clean job written, over the last 1000 tips. */
  notifydelayms: { count: number; p50: number | null; p99: number | null };
  job: { height: number; previousblockhash: string; transactions: number; blockdifficulty: number } | null;
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export class StratumStats {
  accepted = 0;
  readonly rejected: Record<RejectReason, number> = {
    'job-not-found': 0, stale: 0, duplicate: 0, 'low-difficulty': 0, unauthorized: 0, 'not-subscribed': 0, other: 0,
  };
  blocksFound = 0;
  readonly blocksRejected: Record<string, number> = {};
  private readonly delays: number[] = [];

  count(outcome: 'accepted' | RejectReason): void {
    if (outcome === 'accepted') this.accepted++;
    else this.rejected[outcome]++;
  }

  notifyDelay(ms: number): void {
    this.delays.push(ms);
    if (this.delays.length > DELAYS_KEPT) this.delays.shift();
  }

  delayPercentiles(): { count: number; p50: number | null; p99: number | null } {
    const sorted = [...this.delays].sort((a, b) => a - b);
    const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
    return { count: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
  }

  info(port: number, bind: string, sessions: Session[], t: StratumTemplate | null): StratumInfo {
    const now = Date.now();
    const workers = sessions.filter((s) => s.address !== null).map((s) => ({
      address: s.address!, workers: [...s.workers], extranonce1: s.extranonce1Hex, difficulty: s.vardiff.difficulty,
      hashrate: s.hashRate(now), accepted: s.accepted, rejected: s.rejected, connectedsince: Math.floor(s.connectedAt / 1000),
    }));
    return {
      bind, port, connections: sessions.length, workers,
      hashrate: workers.reduce((sum, w) => sum + w.hashrate, 0),
      shares: { accepted: this.accepted, rejected: { ...this.rejected } },
      blocksfound: this.blocksFound,
      blocksrejected: { ...this.blocksRejected },
      notifydelayms: this.delayPercentiles(),
      job: t && { height: t.base.height, previousblockhash: hashToHex(t.base.prevHash), transactions: t.base.txs.length, blockdifficulty: difficultyForTarget(t.base.target) },
    };
  }
}
