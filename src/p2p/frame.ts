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

export function checksum(payload: Uint8Array): Uint8Array {
  if (payload.length < NATIVE_HASH_FROM) return sha256d(payload).subarray(0, 4);
  const d = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  return new Uint8Array(d.buffer, d.byteOffset, 4);
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
  let lenBytes = 1;
  for (let n = bytes.length; n >= 0x80; n = Math.floor(n / 128)) lenBytes++;
  const payloadLength = 1 + lenBytes + bytes.length;
  const frame = new Uint8Array(HEADER_BYTES + payloadLength);
  frame.set(magic, 0);
  for (let i = 0; i < command.length; i++) frame[4 + i] = command.charCodeAt(i);
  new DataView(frame.buffer).setUint32(16, payloadLength, true);
  let o = HEADER_BYTES;
  frame[o++] = 0x0a; // field 1, length-delimited
  for (let n = bytes.length; ; n = Math.floor(n / 128)) {
    if (n < 0x80) { frame[o++] = n; break; }
    frame[o++] = (n & 0x7f) | 0x80;
  }
  frame.set(bytes, o);
  frame.set(checksum(frame.subarray(HEADER_BYTES)), 20);
  return frame;
}
