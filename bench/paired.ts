// Paired measurement: the subject and its reference run in alternating short
// windows, and the ratio is the median of the per-pair ratios. Load from
// other processes on a shared machine then hits both sides of a pair alike,
// so the ratio holds still even when absolute rates drift.

export type Round = () => number | Promise<number>;

/** Items per second of `round` over about `seconds` of wall time. */
export async function rateOver(seconds: number, round: Round): Promise<number> {
  let items = 0;
  const t0 = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  do {
    items += await round();
    elapsed = process.hrtime.bigint() - t0;
  } while (elapsed < limit);
  return items / (Number(elapsed) / 1e9);
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface PairedResult { subject: number; reference: number; ratio: number }

export async function paired(pairs: number, seconds: number, subject: Round, reference: Round): Promise<PairedResult> {
  // Warm both past V8's baseline tier before anything counts.
  await rateOver(0.25, subject);
  await rateOver(0.25, reference);
  const s: number[] = [];
  const r: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate the order so neither side always runs first after a pause.
    const [a, b] = i % 2 === 0
      ? [await rateOver(seconds, subject), await rateOver(seconds, reference)]
      : (([y, x]) => [x, y])([await rateOver(seconds, reference), await rateOver(seconds, subject)]);
    s.push(a);
    r.push(b);
    ratios.push(a / b);
  }
  return { subject: median(s), reference: median(r), ratio: median(ratios) };
}
