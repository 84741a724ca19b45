// A streaming frame parser: TCP delivers bytes in arbitrary pieces, so frames
// may be split across reads or several may arrive in one. The buffer never
// holds more than one frame header plus the largest allowed payload.
import { bytesEqual } from '../core/bytes.js';
import { checksum, COMMAND_BYTES, HEADER_BYTES } from './frame.js';

export interface Frame {
  command: string;
  payload: Uint8Array;
}

/** A fatal stream error: the connection cannot be trusted to stay in sync. */
export class FrameError extends Error {
  constructor(readonly code: 'bad-magic' | 'oversized' | 'bad-command', message: string) {
    super(message);
  }
}

export type ParsedItem = { frame: Frame } | { badChecksum: string };

export class FrameParser {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** The last command's 12 padded bytes and name: frames of one command come in runs (a block download). */
  private readonly lastCommandBytes = new Uint8Array(COMMAND_BYTES);
  private lastCommand: string | null = null;

  constructor(private readonly magic: Uint8Array, private readonly maxPayload: number) {}

  /** Returns complete frames (and dropped bad-checksum frames); throws FrameError on a fatal error. */
  push(chunk: Uint8Array): ParsedItem[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: ParsedItem[] = [];
    for (;;) {
      if (this.buffered < HEADER_BYTES) break;
      const header = this.peek(HEADER_BYTES);
      if (!bytesEqual(header.subarray(0, 4), this.magic)) throw new FrameError('bad-magic', 'frame does not start with this network\'s magic');
      const command = this.command(header.subarray(4, 4 + COMMAND_BYTES));
      if (command === null) throw new FrameError('bad-command', 'command name is not NUL-padded [a-z0-9] ASCII');
      const length = new DataView(header.buffer, header.byteOffset).getUint32(16, true);
      if (length > this.maxPayload) throw new FrameError('oversized', `payload of ${length} bytes is above the ${this.maxPayload}-byte limit`);
      if (this.buffered < HEADER_BYTES + length) break;
      const whole = this.take(HEADER_BYTES + length);
      const payload = whole.subarray(HEADER_BYTES);
      if (!bytesEqual(checksum(payload), whole.subarray(20, 24))) out.push({ badChecksum: command });
      else out.push({ frame: { command, payload } });
    }
    return out;
  }

  private command(bytes: Uint8Array): string | null {
    if (this.lastCommand !== null && bytesEqual(bytes, this.lastCommandBytes)) return this.lastCommand;
    const command = parseCommand(bytes);
    if (command !== null) { this.lastCommandBytes.set(bytes); this.lastCommand = command; }
    return command;
  }

  private peek(n: number): Uint8Array {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    this.coalesce();
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Uint8Array {
    if (this.chunks[0]!.length < n) this.coalesce();
    const first = this.chunks[0]!;
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }

  private coalesce(): void {
    const all = new Uint8Array(this.buffered);
    let o = 0;
    for (const c of this.chunks) { all.set(c, o); o += c.length; }
    this.chunks = [all];
  }
}

/** Lowercase letters and digits (BIP155's addrv2, sendaddrv2): a name we do not know is ignored later, not refused here. */
const isCommandChar = (b: number): boolean => (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39);

function parseCommand(bytes: Uint8Array): string | null {
  let end = bytes.indexOf(0);
  if (end === -1) end = bytes.length;
  if (end === 0) return null;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (i < end ? !isCommandChar(b) : b !== 0) return null;
  }
  return String.fromCharCode(...bytes.subarray(0, end));
}
