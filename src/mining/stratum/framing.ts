// Stratum framing: newline-delimited JSON over TCP. Bytes are collected until a
// newline; a line longer than the cap is an error the session answers by
// closing, so a client can never make the server hold more than `maxLine` bytes.

export type FrameEvent = { kind: 'line'; text: string } | { kind: 'too-long' };

export class LineFramer {
  private parts: Buffer[] = [];
  private held = 0;

  constructor(private readonly maxLine: number) {}

  /** Splits a chunk into complete lines; returns 'too-long' (and stops) once a line passes the cap. */
  push(chunk: Buffer): FrameEvent[] {
    const out: FrameEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      if (this.held + piece.length > this.maxLine) return [...out, { kind: 'too-long' }];
      const line = this.held === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.parts = [];
      this.held = 0;
      const text = line.toString('utf8').replace(/\r$/, '');
      if (text.trim().length > 0) out.push({ kind: 'line', text });
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.held + rest.length > this.maxLine) return [...out, { kind: 'too-long' }];
      this.parts.push(Buffer.from(rest));
      this.held += rest.length;
    }
    return out;
  }
}

export interface StratumRequest {
  id: number | string | null;
  method: string;
  params: unknown[];
}

/** Parses one line as a JSON-RPC request; a string saying what is wrong otherwise. */
export function parseRequest(text: string): StratumRequest | { error: string; id: number | string | null } {
  let v: unknown;
  try { v = JSON.parse(text); } catch { return { error: 'malformed JSON', id: null }; }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'a request is a JSON object', id: null };
  const o = v as Record<string, unknown>;
  const id = typeof o.id === 'number' || typeof o.id === 'string' ? o.id : null;
  if (typeof o.method !== 'string') return { error: 'request has no method', id };
  const params = o.params === undefined || o.params === null ? [] : o.params;
  if (!Array.isArray(params)) return { error: 'params must be an array', id };
  return { id, method: o.method, params };
}

export function encodeLine(v: unknown): string {
  return `${JSON.stringify(v)}\n`;
}
