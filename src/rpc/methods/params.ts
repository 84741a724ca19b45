// Strict parameter readers: each names the parameter it rejects and says what
// it wanted, as a -32602 error. Optional parameters may be omitted or null.
import { parseCoins } from '../../core/amount.js';
import { hexToHash } from '../../core/bytes.js';
import { decodeAddress } from '../../crypto/address.js';
import { invalidParams } from '../rpcErrors.js';

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

export const isMissing = (v: unknown): boolean => v === undefined || v === null;

export function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw invalidParams(`${name} must be a string, not ${describe(v)}`);
  return v;
}

export function int(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidParams(`${name} must be a whole number, not ${typeof v === 'number' ? v : describe(v)}`);
  if (v < min || v > max) throw invalidParams(`${name} must be from ${min} to ${max}, not ${v}`);
  return v;
}

export function optInt(v: unknown, name: string, min: number, max: number, fallback: number): number {
  return isMissing(v) ? fallback : int(v, name, min, max);
}

export function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw invalidParams(`${name} must be true or false, not ${describe(v)}`);
  return v;
}

export function optBool(v: unknown, name: string, fallback: boolean): boolean {
  return isMissing(v) ? fallback : bool(v, name);
}

export function hash(v: unknown, name: string): Uint8Array {
  const s = str(v, name);
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw invalidParams(`${name} must be 64 hex digits`);
  return hexToHash(s);
}

/** Checked with decodeAddress, whose AddressError becomes -32602 with data.code 'bad-address'. */
export function address(v: unknown, name: string): { address: string; pubKeyHash: Uint8Array } {
  const s = str(v, name);
  return { address: s, pubKeyHash: decodeAddress(s) };
}

/**
 * Coins as a decimal string ("0.5"); a JSON number is accepted when it prints
 * as such a string (0.5, 22), never one that would need rounding (1e-9).
 */
export function amount(v: unknown, name: string): number {
  if (typeof v !== 'string' && typeof v !== 'number') throw invalidParams(`${name} must be an amount of coins such as "0.5", not ${describe(v)}`);
  try {
    return parseCoins(String(v));
  } catch (e) {
    throw invalidParams(`${name}: ${(e as Error).message}`);
  }
}

/** A string or a non-empty array of strings, as a list. */
export function stringList(v: unknown, name: string, maxItems: number): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) throw invalidParams(`${name} must be a string or a non-empty array of strings`);
  if (list.length > maxItems) throw invalidParams(`${name} has ${list.length} items; at most ${maxItems}`);
  return list.map((x, i) => str(x, `${name}[${i}]`));
}

export function plainObject(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidParams(`${name} must be an object, not ${describe(v)}`);
  return v as Record<string, unknown>;
}
