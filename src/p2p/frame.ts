// Frame layout (fixed: other tools speak it):
//   magic 4 | command 12 (ASCII [a-z0-9], NUL-padded) | payload length u32 LE | checksum 4 | payload
// checksum = first 4 bytes of SHA256d(payload).
import { createHash } from 'node:crypto';
import { sha256d } from '../core/hash.js';

export const HEADER_BYTES = 24;
export const COMMAND_BYTES = 12;

/**
 * Payloads from this size on are hashed by node:crypto (OpenSSL, with the CPU's SHA
 * instructions where it has them): about 6x faster than the WASM hasher on a block of
 * 1,000 transactions, whose checksum both ends compute. Smaller ones stay on the WASM
 * hasher, which costs less per call.
 */
const NATIVE_HASH_FROM = 4096;

/** SHA256d of a payload, on the hasher that costs least at its size. */
function payloadDigest(payload: Uint8Array): Uint8Array {
  if (payload.length < NATIVE_HASH_FROM) return sha256d(payload);
  const d = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}

export function checksum(payload: Uint8Array): Uint8Array {
  return payloadDigest(payload).subarray(0, 4);
}

/** Whether the 4 bytes of `bytes` at `at` are the payload's checksum (no view made of either). */
export function checksumMatches(payload: Uint8Array, bytes: Uint8Array, at: number): boolean {
  const d = payloadDigest(payload);
  return d[0] === bytes[at] && d[1] === bytes[at + 1] && d[2] === bytes[at + 2] && d[3] === bytes[at + 3];
}

export function encodeFrame(magic: Uint8Array, command: string, payload: Uint8Array): Uint8Array {
  if (command.length === 0 || command.length > COMMAND_BYTES || !/^[a-z0-9]+$/.test(command)) throw new RangeError(`bad command name "${command}"`);
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  frame.set(magic, 0);
  for (let i = 0; i < command.length; i++) frame[4 + i] = command.charCodeAt(i);
  new DataView(frame.buffer).setUint32(16, payload.length, true);
  frame.set(checksum(payload), 20);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/**
 * The frame of a message whose payload is one protobuf `bytes` field numbered 1 (`block`,
 * `tx`): the same bytes as encodeFrame(encodeMessage(...)), written once into the frame
 * instead of through protobuf's writer and a second copy (a block of 1,000 transactions
 * is some 200 KB).
 */
export function encodeBytesFieldFrame(magic: Uint8Array, command: string, bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(bytesFieldFrameSize(bytes.length));
  writeBytesFieldFrame(frame, 0, magic, command, bytes);
  return frame;
}

/** The frames of several such messages back to back in one buffer (a getdata batch's blocks: one allocation, one write). */
export function encodeBytesFieldFrames(magic: Uint8Array, command: string, list: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const b of list) size += bytesFieldFrameSize(b.length);
  const out = new Uint8Array(size);
  let at = 0;
  for (const b of list) at = writeBytesFieldFrame(out, at, magic, command, b);
  return out;
}

function varintBytes(n: number): number {
  let lenBytes = 1;
  for (; n >= 0x80; n = Math.floor(n / 128)) lenBytes++;
  return lenBytes;
}

function bytesFieldFrameSize(n: number): number {
  return HEADER_BYTES + 1 + varintBytes(n) + n;
}

/** Writes the frame at `at` in `out`; returns where it ends. */
function writeBytesFieldFrame(out: Uint8Array, at: number, magic: Uint8Array, command: string, bytes: Uint8Array): number {
  const payloadLength = 1 + varintBytes(bytes.length) + bytes.length;
  out.set(magic, at);
  for (let i = 0; i < COMMAND_BYTES; i++) out[at + 4 + i] = i < command.length ? command.charCodeAt(i) : 0;
  new DataView(out.buffer, out.byteOffset).setUint32(at + 16, payloadLength, true);
  let o = at + HEADER_BYTES;
  out[o++] = 0x0a; // field 1, length-delimited
  for (let n = bytes.length; ; n = Math.floor(n / 128)) {
    if (n < 0x80) { out[o++] = n; break; }
    out[o++] = (n & 0x7f) | 0x80;
  }
  out.set(bytes, o);
  const payload = out.subarray(at + HEADER_BYTES, at + HEADER_BYTES + payloadLength);
  out.set(checksum(payload), at + 20);
  return at + HEADER_BYTES + payloadLength;
}
