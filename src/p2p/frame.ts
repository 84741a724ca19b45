// Frame layout (fixed: other tools speak it):
//   magic 4 | command 12 (ASCII [a-z0-9], NUL-padded) | payload length u32 LE | checksum 4 | payload
// checksum = first 4 bytes of SHA256d(payload).
import { sha256d } from '../core/hash.js';

export const HEADER_BYTES = 24;
export const COMMAND_BYTES = 12;

export function checksum(payload: Uint8Array): Uint8Array {
  return sha256d(payload).subarray(0, 4);
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
