// Difficulty: every `retargetInterval` blocks the target moves toward
// `targetSpacing` seconds per block, by at most x4 either way.
import { ValidationError } from './errors.js';
import { NetworkParams } from './params.js';
import { bitsToTarget, targetToBits } from './pow.js';

/** True when the block at `height` starts a new difficulty window. */
export function isRetargetHeight(params: NetworkParams, height: number): boolean {
  return !params.noRetarget && height > params.genesisHeight && (height - params.genesisHeight) % params.retargetInterval === 0;
}

/**
 * Bits for a retarget block, from the previous window's first and last block
 * times. The window has `interval` blocks and so `interval - 1` gaps.
 */
export function retargetBits(params: NetworkParams, prevBits: number, firstTime: number, lastTime: number): number {
  const expected = (params.retargetInterval - 1) * params.targetSpacing;
  const actual = lastTime - firstTime;
  const prev = bitsToTarget(prevBits);
  // Clamped in exact integers: flooring expected/4 first would let one step harden by more than x4.
  let target: bigint;
  if (actual * 4 <= expected) target = prev / 4n;
  else if (actual >= expected * 4) target = prev * 4n;
  else target = (prev * BigInt(actual)) / BigInt(expected);
  if (target > params.powLimit) target = params.powLimit;
  return targetToBits(target);
}

export function medianTimePast(times: readonly number[]): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function checkBlockTime(params: NetworkParams, time: number, mtp: number, now: number): void {
  if (time <= mtp) throw new ValidationError('time-too-old', `block time ${time} is not after the median time ${mtp} of the last ${params.medianTimeSpan} blocks`, 100);
  if (time > now + params.maxFutureSeconds) throw new ValidationError('time-too-new', `block time ${time} is more than ${params.maxFutureSeconds / 3600} hours ahead`, 0);
}
