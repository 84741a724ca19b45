// A peer made of a raw TCP socket: it speaks the wire protocol through the
// node's own frame and message codecs, but decides itself what to send, so it
// can be well-behaved (handshake, pings, answers) or hostile. Every attacker
// can take its own loopback source address (127.x.y.z), which the node sees as
// a separate host: bans then land on that host alone.
import { connect, Socket } from 'node:net';
import { REGTEST } from '../../src/core/params.js';
import { encodeFrame } from '../../src/p2p/frame.js';
import { FrameParser } from '../../src/p2p/frameParser.js';
import { decodeMessage, encodeMessage, Message, randomNonce64, unixSeconds, VersionInfo } from '../../src/p2p/messages.js';
import { maxPayloadFor } from '../../src/p2p/peer.js';

const ZERO_HASH = new Uint8Array(32);
const INBOX = 2000;

export function frameOf(m: Message): Uint8Array {
  return encodeFrame(REGTEST.magic, m.command, encodeMessage(m));
}

export function versionMessage(genesis: Uint8Array, o: Partial<VersionInfo> = {}): Message {
  return {
    command: 'version',
    version: {
      protocol: 1, userAgent: '/reliability/', bestHeight: 0, work: 0n, genesis, listenPort: 0,
      nonce: randomNonce64(), timestamp: unixSeconds(), ...o,
    },
  };
}

/** The n-th loopback source address: distinct for n below 16 million, never in 127.0.x.x (127.0.0.1 is the good peer's). */
export function loopbackAddress(n: number): string {
  const lo = 1 + (n % 250);
  const mid = Math.floor(n / 250) % 256;
  const hi = 1 + (Math.floor(n / (250 * 256)) % 254);
  return `127.${hi}.${mid}.${lo}`;
}

export class WirePeer {
  readonly inbox: Message[] = [];
  received = 0;
  bytesIn = 0;
  closed = false;
  /** Set when the node sent bytes our parser rejected: a node must never do that. */
  protocolError: string | null = null;
  autoPong = true;
  /** Called for every message the node sends, after it is in the inbox. */
  onMessage: ((m: Message) => void) | null = null;
  private readonly parser = new FrameParser(REGTEST.magic, maxPayloadFor(REGTEST));
  private waiters: Array<() => void> = [];
  private readonly closedP: Promise<void>;
  private pingSeq = 1n;

  /** Our end as the node sees it ("host:port"); kept, since a closed socket forgets its address. */
  readonly id: string;

  private constructor(readonly socket: Socket) {
    this.id = `${socket.localAddress}:${socket.localPort}`;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => undefined);
    this.closedP = new Promise((resolve) => socket.once('close', () => {
      this.closed = true;
      resolve();
      this.wake();
    }));
  }

  /** Wraps a connection the node opened to us (we are the listener). */
  static accept(socket: Socket): WirePeer {
    return new WirePeer(socket);
  }

  static connect(port: number, localAddress?: string, timeoutMs = 5000, host = '127.0.0.1'): Promise<WirePeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, localAddress });
      const timer = setTimeout(() => { s.destroy(); reject(new Error(`no TCP connection to port ${port} within ${timeoutMs} ms`)); }, timeoutMs);
      s.once('connect', () => { clearTimeout(timer); s.off('error', reject); resolve(new WirePeer(s)); });
      s.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
  }

  /** True when the node closed us before sending a single byte: refused at accept (banned or full). */
  get refused(): boolean {
    return this.closed && this.bytesIn === 0;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private onData(d: Buffer): void {
    this.bytesIn += d.length;
    if (this.protocolError) return;
    let items;
    try {
      items = this.parser.push(new Uint8Array(d.buffer, d.byteOffset, d.length));
    } catch (e) {
      this.protocolError = `node sent an unparsable stream: ${(e as Error).message}`;
      this.wake();
      return;
    }
    for (const it of items) {
      if (!('frame' in it)) { this.protocolError = `node sent a frame with a bad checksum (${it.badChecksum})`; continue; }
      let m: Message | null;
      try {
        m = decodeMessage(it.frame.command, it.frame.payload);
      } catch (e) {
        this.protocolError = `node sent a malformed ${it.frame.command}: ${(e as Error).message}`;
        continue;
      }
      if (!m) { this.protocolError = `node sent an unknown command ${it.frame.command}`; continue; }
      if (m.command === 'ping' && this.autoPong) this.send({ command: 'pong', nonce: m.nonce });
      this.inbox.push(m);
      if (this.inbox.length > INBOX) this.inbox.splice(0, this.inbox.length - INBOX);
      this.received++;
      this.onMessage?.(m);
    }
    this.wake();
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  send(m: Message): void {
    this.write(frameOf(m));
  }

  mark(): number {
    return this.received;
  }

  /** The first message received after `mark` that matches; rejects on close or timeout. */
  async waitFor(what: string, pred: (m: Message) => boolean, timeoutMs: number, mark = this.mark()): Promise<Message> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const first = this.received - this.inbox.length;
      const hit = this.inbox.slice(Math.max(0, mark - first)).find(pred);
      if (hit) return hit;
      if (this.closed) throw new Error(`${this.id}: connection closed while waiting for ${what}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`${this.id}: no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, Math.min(left, 250)); });
    }
  }

  /** Sends version and verack, and waits for the node's version and verack. */
  async handshake(genesis: Uint8Array = ZERO_HASH, o: Partial<VersionInfo> = {}, timeoutMs = 10_000): Promise<VersionInfo> {
    const mark = this.mark();
    this.send(versionMessage(genesis, o));
    this.send({ command: 'verack' });
    const v = await this.waitFor('version', (m) => m.command === 'version', timeoutMs, mark);
    await this.waitFor('verack', (m) => m.command === 'verack', timeoutMs, mark);
    return (v as Extract<Message, { command: 'version' }>).version;
  }

  /**
   * Round trip of a ping, in ms. The node answers only once everything this
   * peer sent before the ping is handled, so a pong also means "done".
   */
  async ping(timeoutMs = 10_000): Promise<number> {
    const nonce = this.pingSeq++;
    const mark = this.mark();
    const t0 = performance.now();
    this.send({ command: 'ping', nonce });
    await this.waitFor(`pong ${nonce}`, (m) => m.command === 'pong' && m.nonce === nonce, timeoutMs, mark);
    return performance.now() - t0;
  }

  /** Resolves true once the node has closed the connection, false if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    if (this.closed) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
    const r = await Promise.race([this.closedP.then(() => true as const), timeout]);
    clearTimeout(timer);
    return r;
  }

  close(): void {
    this.socket.destroy();
  }
}
