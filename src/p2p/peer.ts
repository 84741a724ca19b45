// One TCP connection to a peer: many frames each way, a version/verack
// handshake that must finish in time, pings, ban score and a bounded send
// queue. Every error from the socket or from a handler ends here: a peer can
// close its own connection, never the node.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ValidationError } from '../core/errors.js';
import type { NetworkParams } from '../core/params.js';
import { encodeBytesFieldFrame, encodeBytesFieldFrames, encodeFrame } from './frame.js';
import { FrameError, FrameParser } from './frameParser.js';
import { decodeMessage, encodeMessage, MAX_INV_ITEMS, Message, randomNonce64, VersionInfo } from './messages.js';
import type { P2pLogger } from './logger.js';
import { P2P_LOG_EVENTS } from './logEvents.js';

export const BAN_THRESHOLD = 100;
/** Bytes of one inv/getdata item in protobuf (entry header 2, type 2, hash 34: 38), rounded up. */
const INV_ITEM_MAX_BYTES = 40;

/**
 * The largest payload any command needs: a full block, or an inv/getdata of
 * MAX_INV_ITEMS items (about 38 bytes each in protobuf), whichever is larger.
 * A block's own size limit is enforced again when it is parsed.
 */
export const maxPayloadFor = (params: NetworkParams): number => Math.max(params.maxBlockSize + 1024, MAX_INV_ITEMS * INV_ITEM_MAX_BYTES + 64);

export interface PeerOptions {
  socket: Socket;
  inbound: boolean;
  params: NetworkParams;
  log: P2pLogger;
  /** Our version message; its nonce identifies this process. */
  localVersion: () => VersionInfo;
  /** Returns why the peer's version is refused, or null to accept it. */
  checkVersion: (v: VersionInfo) => string | null;
  handshakeTimeoutMs?: number;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  maxSendQueueBytes?: number;
}

export class Peer extends EventEmitter {
  readonly host: string;
  readonly port: number;
  readonly id: string;
  readonly inbound: boolean;
  remoteVersion: VersionInfo | null = null;
  banScore = 0;
  ready = false;
  closed = false;
  /** Handling of messages still running; a pong waits for those before it (see afterWork). */
  private readonly pendingWork = new Set<Promise<unknown>>();
  /** Frames sent in this tick are written together (one writev) once it ends. */
  private corked = false;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  readonly connectedAt = Date.now();
  private gotVerack = false;
  private readonly parser: FrameParser;
  private handshakeTimer: NodeJS.Timeout | null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pongDeadline: NodeJS.Timeout | null = null;
  private pingNonce = 0n;
  lastPingMs: number | null = null;
  private pingSentAt = 0;

  constructor(private readonly o: PeerOptions) {
    super();
    this.inbound = o.inbound;
    this.host = o.socket.remoteAddress ?? 'unknown';
    this.port = o.socket.remotePort ?? 0;
    this.id = `${this.host}:${this.port}`;
    this.parser = new FrameParser(o.params.magic, maxPayloadFor(o.params));
    o.socket.setNoDelay(true);
    o.socket.on('data', (d: Buffer) => this.onData(d));
    o.socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    o.socket.on('close', () => this.close('connection closed by peer'));
    this.handshakeTimer = setTimeout(() => this.close('handshake not finished in time'), o.handshakeTimeoutMs ?? 10_000);
    this.send({ command: 'version', version: o.localVersion() });
  }

  send(m: Message): void {
    if (this.closed) return;
    const frame = m.command === 'block' ? encodeBytesFieldFrame(this.o.params.magic, m.command, m.block)
      : m.command === 'tx' ? encodeBytesFieldFrame(this.o.params.magic, m.command, m.tx)
      : encodeFrame(this.o.params.magic, m.command, encodeMessage(m));
    this.write(frame, 1);
  }

  /** `block` messages for each of `blocks`, in order: the same frames as send() makes, in one buffer. */
  sendBlocks(blocks: readonly Uint8Array[]): void {
    if (this.closed || blocks.length === 0) return;
    this.write(encodeBytesFieldFrames(this.o.params.magic, 'block', blocks), blocks.length);
  }

  private write(frame: Uint8Array, messages: number): void {
    this.bytesOut += frame.length;
    this.messagesOut += messages;
    // The blocks of one getdata batch, sent in a loop, leave in one system call, not one each.
    if (!this.corked) {
      this.corked = true;
      this.o.socket.cork();
      process.nextTick(this.uncork);
    }
    this.o.socket.write(frame);
    // A peer that never reads would make us buffer without bound.
    if (this.o.socket.writableLength > (this.o.maxSendQueueBytes ?? 64 * 1024 * 1024)) this.close('peer is not reading (send queue full)');
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.o.socket.uncork();
  };

  /** Stops reading from the socket (TCP pushes back on the sender) until resumeReading(). */
  pauseReading(): void {
    if (!this.closed) this.o.socket.pause();
  }

  resumeReading(): void {
    if (!this.closed) this.o.socket.resume();
  }

  /** Bytes queued for this peer that the socket has not taken yet. */
  get sendQueueBytes(): number {
    return this.o.socket.writableLength;
  }

  /** Resolves once the send queue has drained (or the peer is gone). */
  drained(): Promise<void> {
    if (this.closed || this.o.socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => { this.o.socket.off('drain', done); this.off('close', done); resolve(); };
      this.o.socket.once('drain', done);
      this.once('close', done);
    });
  }

  /** Adds ban score; at 100 the peer is disconnected ('banned' lets the manager decide whether its host is banned too). */
  misbehave(score: number, reason: string): void {
    if (this.closed || score <= 0) return;
    this.banScore += score;
    this.o.log.info({ event: P2P_LOG_EVENTS.peerMisbehaved, peer: this.id, score: this.banScore, reason }, 'peer misbehaved');
    if (this.banScore >= BAN_THRESHOLD) {
      this.emit('banned', reason);
      this.close(`misbehaving: ${reason}`);
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ready = false;
    for (const t of [this.handshakeTimer, this.pongDeadline]) if (t) clearTimeout(t);
    if (this.pingTimer) clearInterval(this.pingTimer);
    // What was sent in this tick (a reject before a disconnect) still leaves, as it would uncorked.
    if (this.corked) this.uncork();
    this.o.socket.destroy();
    this.o.log.debug({ peer: this.id, reason }, 'peer disconnected');
    this.emit('close', reason);
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    this.bytesIn += d.length;
    let items;
    try {
      items = this.parser.push(new Uint8Array(d.buffer, d.byteOffset, d.length));
    } catch (err) {
      const reason = err instanceof FrameError ? err.message : `unreadable stream: ${(err as Error).message}`;
      this.misbehave(err instanceof FrameError && err.code === 'bad-magic' ? 10 : 20, reason);
      this.close(reason);
      return;
    }
    for (const item of items) {
      if (this.closed) return;
      if ('badChecksum' in item) {
        // Dropped, as Bitcoin does: corruption is not proof of malice.
        this.o.log.debug({ peer: this.id, command: item.badChecksum }, 'dropped a frame with a bad checksum');
        continue;
      }
      this.messagesIn++;
      try {
        const m = decodeMessage(item.frame.command, item.frame.payload);
        if (m === null) { this.o.log.debug({ peer: this.id, command: item.frame.command }, 'ignored an unknown command'); continue; }
        this.handle(m);
      } catch (err) {
        if (err instanceof ValidationError) this.misbehave(err.banScore, err.message);
        else this.o.log.error({ peer: this.id, err }, 'error while handling a message');
      }
    }
  }

  /** Registers the asynchronous handling of a message, so later pongs wait for it. */
  afterWork(work: Promise<unknown>): void {
    this.pendingWork.add(work);
    const done = (): void => { this.pendingWork.delete(work); };
    work.then(done, done);
  }

  private handle(m: Message): void {
    if (m.command === 'version') return this.onVersion(m.version);
    if (m.command === 'verack') {
      this.gotVerack = true;
      this.maybeReady();
      return;
    }
    if (!this.ready) { this.misbehave(10, `${m.command} before the handshake`); return; }
    if (m.command === 'ping') {
      // A pong means "everything you sent before this ping is handled": a wallet relies on it
      // to know its transactions were accepted or rejected.
      const nonce = m.nonce;
      void Promise.allSettled([...this.pendingWork]).then(() => { if (!this.closed) this.send({ command: 'pong', nonce }); });
      return;
    }
    if (m.command === 'pong') {
      this.emit('pong', m.nonce);
      if (m.nonce === this.pingNonce && this.pongDeadline) {
        clearTimeout(this.pongDeadline);
        this.pongDeadline = null;
        this.lastPingMs = Date.now() - this.pingSentAt;
      }
      return;
    }
    this.emit('message', m);
  }

  private onVersion(v: VersionInfo): void {
    if (this.remoteVersion) { this.misbehave(10, 'second version message'); return; }
    if (v.nonce === this.o.localVersion().nonce) { this.close('connected to ourselves'); return; }
    const refusal = this.o.checkVersion(v);
    if (refusal) {
      this.o.log.warn({ peer: this.id, reason: refusal }, 'refused peer');
      this.close(refusal);
      return;
    }
    this.remoteVersion = v;
    this.send({ command: 'verack' });
    this.maybeReady();
  }

  private maybeReady(): void {
    if (this.ready || !this.remoteVersion || !this.gotVerack || this.closed) return;
    this.ready = true;
    if (this.handshakeTimer) { clearTimeout(this.handshakeTimer); this.handshakeTimer = null; }
    const interval = this.o.pingIntervalMs ?? 30_000;
    this.pingTimer = setInterval(() => this.ping(), interval);
    this.pingTimer.unref();
    this.emit('ready');
  }

  private ping(): void {
    if (this.pongDeadline) return;
    this.pingNonce = randomNonce64();
    this.pingSentAt = Date.now();
    this.send({ command: 'ping', nonce: this.pingNonce });
    this.pongDeadline = setTimeout(() => this.close('no pong in time'), this.o.pingTimeoutMs ?? 20_000);
    this.pongDeadline.unref();
  }
}
