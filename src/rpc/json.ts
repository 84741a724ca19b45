// Results as JSON text. Amounts are integers of base units inside the node; a
// result shows one as bitcoind does, a JSON number of coins with exactly eight
// decimals ("50.00000000"), written digit by digit so no float rounding can
// creep in. Methods wrap such a value in `coins(units)`.
import { randomBytes } from 'node:crypto';
import { COIN } from '../core/amount.js';

/** A base-unit amount a result shows as a coin number. */
export class Coins {
  constructor(readonly units: number) {}
}

export const coins = (units: number): Coins => new Coins(units);

/** "5000000000" → "50.00000000"; negative amounts (a send in listtransactions) keep their sign. */
export function coinText(units: number): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  return `${sign}${Math.floor(abs / COIN)}.${String(abs % COIN).padStart(8, '0')}`;
}

// A marker no client can put into a string of a result: it carries a random key of this process.
const MARK = `\u0001coins-${randomBytes(8).toString('hex')}:`;
const MARKED = new RegExp(`"${MARK.replace('\u0001', '\\\\u0001')}(-?\\d+)"`, 'g');

export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value, function (this: unknown, _k, v: unknown) {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Coins) return `${MARK}${v.units}`;
    return v;
  });
  return text.replace(MARKED, (_m, units: string) => coinText(Number(units)));
}
