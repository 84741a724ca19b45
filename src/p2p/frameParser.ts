// A streaming frame parser: TCP delivers bytes in arbitrary pieces, so frames
// may be split across reads or several may arrive in one. The buffer never
// holds more than one frame header plus the largest allowed payload. Frames
// are read in place (an offset into the first piece, the header's fields by
// index): a payload is the only view made per frame, as a block download is
// thousands of small frames a second.
import { checksumMatches, COMMAND_BYTES, HEADER_BYTES } from './frame.js';

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
  /** Where the unread bytes of the first chunk begin. */
  private offset = 0;
  private buffered = 0;
  /** The last command's 12 padded bytes and name: frames of one command come in runs (a block download). */
  private readonly lastCommandBytes = new Uint8Array(COMMAND_BYTES);
  private lastCommand: string | null = null;

  constructor(private readonly magic: Uint8Array, private readonly maxPayload: number) {}

  /** Returns complete frames (and dropped bad-checksum frames); throws FrameError on a fatal error. */
  push(chunk: Uint8Array): ParsedItem[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: ParsedItem[] = [];
    while (this.buffered >= HEADER_BYTES) {
      if (this.chunks[0]!.length - this.offset < HEADER_BYTES) this.coalesce();
      let c = this.chunks[0]!;
      let at = this.offset;
      const m = this.magic;
      if (c[at] !== m[0] || c[at + 1] !== m[1] || c[at + 2] !== m[2] || c[at + 3] !== m[3]) throw new FrameError('bad-magic', 'frame does not start with this network\'s magic');
      const command = this.command(c, at + 4);
      if (command === null) throw new FrameError('bad-command', 'command name is not NUL-padded [a-z0-9] ASCII');
      // u32 little-endian, unsigned.
      const length = (c[at + 16]! | (c[at + 17]! << 8) | (c[at + 18]! << 16)) + c[at + 19]! * 0x1000000;
      if (length > this.maxPayload) throw new FrameError('oversized', `payload of ${length} bytes is above the ${this.maxPayload}-byte limit`);
      const size = HEADER_BYTES + length;
      if (this.buffered < size) break;
      if (c.length - at < size) { this.coalesce(); c = this.chunks[0]!; at = 0; }
      const payload = c.subarray(at + HEADER_BYTES, at + size);
      const ok = checksumMatches(payload, c, at + 20);
      this.consume(size);
      out.push(ok ? { frame: { command, payload } } : { badChecksum: command });
    }
    return out;
  }

  /** The command name whose 12 bytes start at `at` of `c`, or null when they are not one. */
  private command(c: Uint8Array, at: number): string | null {
    const last = this.lastCommandBytes;
    if (this.lastCommand !== null) {
      let same = true;
      for (let i = 0; i < COMMAND_BYTES; i++) if (c[at + i] !== last[i]) { same = false; break; }
      if (same) return this.lastCommand;
    }
    const bytes = c.subarray(at, at + COMMAND_BYTES);
    const command = parseCommand(bytes);
    if (command !== null) { last.set(bytes); this.lastCommand = command; }
    return command;
  }

  /** The first `n` unread bytes are taken. */
  private consume(n: number): void {
    this.offset += n;
    this.buffered -= n;
    if (this.offset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  /** Joins every unread byte into one chunk (a header or frame split across reads). */
  private coalesce(): void {
    const all = new Uint8Array(this.buffered);
    let o = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      const c = i === 0 ? this.chunks[0]!.subarray(this.offset) : this.chunks[i]!;
      all.set(c, o);
      o += c.length;
    }
    this.chunks = [all];
    this.offset = 0;
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
