// Amounts are integer base units. MAX_MONEY (2.1e15) is below 2^53, so every
// amount and every sum of two amounts is an exact JS number; sums are checked
// against MAX_MONEY at each step, so they can never leave the exact range.
import { ValidationError, type ConsensusCode } from './errors.js';

export const COIN = 100_000_000;
export const MAX_MONEY = 21_000_000 * COIN;

export function isValidAmount(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0 && v <= MAX_MONEY;
}

export function addAmounts(a: number, b: number, code: ConsensusCode = 'amount-overflow'): number {
  const s = a + b;
  if (!isValidAmount(a) || !isValidAmount(b) || s > MAX_MONEY) {
    throw new ValidationError(code, `amount sum ${a} + ${b} is out of range`, 100);
  }
  return s;
}

/** "0.5" → 50000000. Rejects signs, exponents, more than 8 decimals and anything above MAX_MONEY. */
export function parseCoins(text: string): number {
  const m = /^(\d{1,8})(?:\.(\d{1,8}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`invalid amount "${text}": use a positive number of coins such as 22 or 0.5`);
  const units = Number(m[1]) * COIN + Number((m[2] ?? '').padEnd(8, '0'));
  if (units <= 0) throw new RangeError(`invalid amount "${text}": it must be above zero`);
  if (units > MAX_MONEY) throw new RangeError(`invalid amount "${text}": above the total supply`);
  return units;
}

/** A fee: like an amount, but zero ("0", "0.0") is allowed. */
export function parseFee(text: string): number {
  return /^0+(\.0+)?$/.test(text.trim()) ? 0 : parseCoins(text);
}

export function formatCoins(units: number): string {
  const whole = Math.floor(units / COIN);
  const frac = String(units % COIN).padStart(8, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}
