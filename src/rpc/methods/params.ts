// Checks for method parameters, as bitcoind reports them: a wrong JSON type is
// -3, a value out of range or malformed -8, an invalid address -5, an amount
// that is not one -3. Optional parameters may be omitted or null.
import { parseCoins } from '../../core/amount.js';
import { hexToHash } from '../../core/bytes.js';
import { decodeAddress } from '../../crypto/address.js';
import { invalidParameter, notFound, typeError } from '../rpcErrors.js';

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v);

export const isMissing = (v: unknown): boolean => v === undefined || v === null;

const wrongType = (name: string, v: unknown, expected: string) =>
  typeError(`${name}: JSON value of type ${describe(v)} is not of expected type ${expected}`);

export function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw wrongType(name, v, 'string');
  return v;
}

export function int(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number') throw wrongType(name, v, 'number');
  if (!Number.isInteger(v)) throw invalidParameter(`${name} must be a whole number, not ${v}`);
  if (v < min || v > max) throw invalidParameter(`${name} must be from ${min} to ${max}, not ${v}`);
  return v;
}

export function optInt(v: unknown, name: string, min: number, max: number, fallback: number): number {
  return isMissing(v) ? fallback : int(v, name, min, max);
}

export function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw wrongType(name, v, 'bool');
  return v;
}

export function optBool(v: unknown, name: string, fallback: boolean): boolean {
  return isMissing(v) ? fallback : bool(v, name);
}

export function hash(v: unknown, name: string): Uint8Array {
  const s = str(v, name);
  if (s.length !== 64) throw invalidParameter(`${name} must be of length 64 (not ${s.length}, for '${s.slice(0, 80)}')`);
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw invalidParameter(`${name} must be hexadecimal string (not '${s}')`);
  return hexToHash(s);
}

/** Checked with decodeAddress; its AddressError becomes -5 with data.code 'bad-address'. */
export function address(v: unknown, name: string): { address: string; pubKeyHash: Uint8Array } {
  const s = str(v, name);
  return { address: s, pubKeyHash: decodeAddress(s) };
}

/** An address parameter that bitcoind answers -5 "Invalid address" for. */
export function addressOrInvalid(v: unknown, name: string): { address: string; pubKeyHash: Uint8Array } {
  const s = str(v, name);
  try { return { address: s, pubKeyHash: decodeAddress(s) }; } catch { throw notFound(`Invalid address: ${s.slice(0, 100)}`); }
}

/**
 * Coins as a JSON number (0.5, as bitcoind takes them) or a decimal string
 * ("0.5"); never one that would need rounding (1e-9, more than 8 decimals).
 */
export function amount(v: unknown, name: string): number {
  if (typeof v !== 'string' && typeof v !== 'number') throw typeError(`${name}: amount is not a number or string`);
  try {
    return parseCoins(String(v));
  } catch (e) {
    throw typeError(`Invalid amount for ${name}: ${(e as Error).message}`);
  }
}

/** A string or a non-empty array of strings, as a list. */
export function stringList(v: unknown, name: string, maxItems: number): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list)) throw wrongType(name, v, 'string or array');
  if (list.length === 0) throw invalidParameter(`${name} must be a string or a non-empty array of strings`);
  if (list.length > maxItems) throw invalidParameter(`${name} has ${list.length} items; at most ${maxItems}`);
  return list.map((x, i) => str(x, `${name}[${i}]`));
}

export function plainObject(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw wrongType(name, v, 'object');
  return v as Record<string, unknown>;
}
