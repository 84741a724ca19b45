// The server's limits on what one client may hold: the body it may send (and
// how an over-long one is drained before the 413), and the connection slots.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** An over-long body is read and dropped for this long at most before the 413, so closing does not reset the connection under the client's feet. */
const LINGER_MS = 1000;
const LINGER_IDLE_MS = 200;

export const TOO_LARGE = Symbol('too large');
export const ABORTED = Symbol('aborted');

/**
 * The body; TOO_LARGE when it is over `max` bytes, ABORTED when the client went
 * away first. An over-long body is drained (dropped) until the client stops
 * sending, for LINGER_MS at most, so the connection can then close without
 * resetting the 413 away.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | typeof TOO_LARGE | typeof ABORTED> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let settled = false;
    let idle: NodeJS.Timeout | null = null;
    let cap: NodeJS.Timeout | null = null;
    const done = (v: Buffer | typeof TOO_LARGE | typeof ABORTED): void => {
      if (settled) return;
      settled = true;
      if (idle) clearTimeout(idle);
      if (cap) clearTimeout(cap);
      req.off('data', onData);
      req.off('end', onEnd);
      resolve(v);
    };
    const restartIdle = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => done(TOO_LARGE), LINGER_IDLE_MS);
    };
    const linger = (): void => {
      over = true;
      chunks.length = 0;
      cap = setTimeout(() => done(TOO_LARGE), LINGER_MS);
      restartIdle();
    };
    const onData = (chunk: Buffer): void => {
      if (over) { restartIdle(); return; }
      size += chunk.length;
      if (size > max) { linger(); return; }
      chunks.push(chunk);
    };
    const onEnd = (): void => done(over ? TOO_LARGE : Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', () => done(over ? TOO_LARGE : ABORTED));
    req.on('close', () => { if (!req.complete) done(over ? TOO_LARGE : ABORTED); });
    if (Number.isFinite(declared) && declared > max) linger();
  });
}

/**
 * The connection cap. A connection is "at work" while one of its requests is
 * queued or running; every other one (reading headers or a body, or idle
 * between keep-alive requests) may be dropped, the one quiet longest first, to
 * make room for a new connection. When every slot is at work, the newcomer
 * gets 503 and is closed.
 */
export class ConnectionSlots {
  private readonly open = new Map<Socket, { atWork: number; since: number }>();
  private tick = 0;

  constructor(private readonly max: number) {}

  admit(socket: Socket): void {
    if (this.open.size >= this.max && !this.evictOne()) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 26\r\n\r\nToo many open connections\n');
      socket.destroySoon();
      return;
    }
    this.open.set(socket, { atWork: 0, since: this.tick++ });
    socket.on('close', () => this.open.delete(socket));
  }

  busy(socket: Socket, on: boolean): void {
    const s = this.open.get(socket);
    if (!s) return;
    s.atWork += on ? 1 : -1;
    s.since = this.tick++;
  }

  private evictOne(): boolean {
    let victim: Socket | null = null;
    let oldest = Infinity;
    for (const [socket, s] of this.open) {
      if (s.atWork === 0 && s.since < oldest) { oldest = s.since; victim = socket; }
    }
    if (!victim) return false;
    this.open.delete(victim);
    victim.destroy();
    return true;
  }
}

/** Malformed HTTP, oversized headers, timeouts: a status line if the socket still takes one, then close. */
export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || socket.destroyed) { socket.destroy(); return; }
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
    : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
      : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroySoon();
}
