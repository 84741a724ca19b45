// One miner connection: subscribe → authorize → jobs and shares. Requests are
// answered in order; the reply to mining.subscribe is always the next line
// written. Every limit a hostile client could push against is bounded here:
// line length, malformed lines, submit rate, jobs kept, unsent bytes.
import type { Socket } from 'node:net';
import type { Block } from '../../core/block.js';
import { bytesEqual } from '../../core/bytes.js';
import { decodeAddress } from '../../crypto/address.js';
import { reject, type RejectReason, StratumReject } from './errors.js';
import { encodeLine, LineFramer, parseRequest, type StratumRequest } from './framing.js';
import { blockOfShare, buildJob, checkShare, EXTRANONCE2_SIZE, type Job, notifyParams, type StratumTemplate } from './jobs.js';
import { hashesPerShare, parseU32Hex } from './share.js';
import type { ResolvedStratumOptions } from './options.js';
import { Vardiff } from './vardiff.js';

export interface SessionHost {
  readonly o: ResolvedStratumOptions;
  template(): StratumTemplate | null;
  nextJobId(): string;
  /** A share met the block target: the server hands the block to the node. */
  foundBlock(block: Block, session: Session): Promise<void>;
  record(session: Session, outcome: 'accepted' | RejectReason): void;
  closed(session: Session): void;
}

const MAX_JOBS = 16;
const MAX_BAD_LINES = 50;
const MAX_UNSENT = 1 << 20;
const HASHRATE_WINDOW_MS = 600_000;

export class Session {
  readonly connectedAt = Date.now();
  subscribed = false;
  address: string | null = null;
  pubKeyHash: Uint8Array | null = null;
  readonly workers = new Set<string>();
  readonly jobs = new Map<string, Job>();
  readonly vardiff: Vardiff;
  private readonly framer: LineFramer;
  private tokens: number;
  private lastRefill = Date.now();
  private badLines = 0;
  private overBudget = 0;
  private readonly samples: Array<[number, number]> = [];
  private readonly timeout: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  accepted = 0;
  rejected = 0;
  closed = false;

  constructor(readonly socket: Socket, readonly extranonce1: Uint8Array, private readonly host: SessionHost) {
    this.framer = new LineFramer(host.o.maxLineBytes);
    this.tokens = host.o.submitBurst;
    this.vardiff = new Vardiff({ sharesPerMinute: host.o.sharesPerMinute, retargetMs: host.o.retargetMs, min: host.o.minDifficulty }, host.o.initialDifficulty, Date.now());
    this.timeout = setTimeout(() => { if (!this.ready) this.close('not subscribed and authorized in time'); }, host.o.subscribeTimeoutMs);
    this.timeout.unref();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close('socket error'));
    socket.on('close', () => this.close('closed'));
  }

  get ready(): boolean {
    return this.subscribed && this.pubKeyHash !== null;
  }

  get extranonce1Hex(): string {
    return Buffer.from(this.extranonce1).toString('hex');
  }

  /** Estimated hashes per second from the shares of the last ten minutes. */
  hashRate(now = Date.now()): number {
    while (this.samples.length > 0 && this.samples[0]![0] < now - HASHRATE_WINDOW_MS) this.samples.shift();
    const span = Math.min(now - this.connectedAt, HASHRATE_WINDOW_MS) / 1000;
    const hashes = this.samples.reduce((s, [, d]) => s + hashesPerShare(d), 0);
    return span > 0 ? hashes / span : 0;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    for (const ev of this.framer.push(chunk)) {
      if (ev.kind === 'too-long') {
        this.send({ id: null, result: null, error: [20, `line longer than ${this.host.o.maxLineBytes} bytes`, null] });
        this.close('line too long');
        return;
      }
      const req = parseRequest(ev.text);
      if ('error' in req) {
        this.send({ id: req.id, result: null, error: [20, req.error, null] });
        if (++this.badLines > MAX_BAD_LINES) { this.close('too many malformed lines'); return; }
        continue;
      }
      // Requests are handled one after another, so replies keep their order.
      this.queue = this.queue.then(() => this.handle(req)).catch(() => this.close('internal error'));
    }
  }

  private async handle(req: StratumRequest): Promise<void> {
    if (this.closed) return;
    switch (req.method) {
      case 'mining.subscribe': return this.onSubscribe(req);
      case 'mining.authorize': return this.onAuthorize(req);
      case 'mining.submit': return this.onSubmit(req);
      default:
        this.send({ id: req.id, result: null, error: [20, `unsupported method "${req.method.slice(0, 64)}"`, null] });
    }
  }

  private onSubscribe(req: StratumRequest): void {
    const firstTime = !this.subscribed;
    this.subscribed = true;
    const sub = this.extranonce1Hex;
    this.send({ id: req.id, result: [[['mining.set_difficulty', sub], ['mining.notify', sub]], sub, EXTRANONCE2_SIZE], error: null });
    if (firstTime && this.ready) this.sendJob(true);
  }

  private onAuthorize(req: StratumRequest): void {
    const user = typeof req.params[0] === 'string' ? req.params[0] : '';
    const dot = user.indexOf('.');
    const address = dot < 0 ? user : user.slice(0, dot);
    let pkh: Uint8Array;
    try {
      pkh = decodeAddress(address);
    } catch (e) {
      this.send({ id: req.id, result: false, error: [24, `the username must be a payout address (optionally ADDRESS.worker): ${(e as Error).message}`, null] });
      return;
    }
    if (this.address !== null && this.address !== address) {
      this.send({ id: req.id, result: false, error: [24, `this connection already pays ${this.address}: open another connection for another address`, null] });
      return;
    }
    const first = this.pubKeyHash === null;
    this.address = address;
    this.pubKeyHash = pkh;
    if (this.workers.size < 64) this.workers.add(user);
    this.send({ id: req.id, result: true, error: null });
    if (first && this.subscribed) this.sendJob(true);
  }

  private async onSubmit(req: StratumRequest): Promise<void> {
    try {
      await this.checkSubmit(req.params);
      this.send({ id: req.id, result: true, error: null });
    } catch (e) {
      if (!(e instanceof StratumReject)) throw e;
      this.rejected++;
      this.host.record(this, e.reason);
      this.send({ id: req.id, result: null, error: [e.code, e.message, null] });
    }
  }

  private async checkSubmit(p: unknown[]): Promise<void> {
    if (!this.subscribed) throw reject.notSubscribed();
    const worker = typeof p[0] === 'string' ? p[0] : '';
    if (!this.workers.has(worker)) throw reject.unauthorized(worker.slice(0, 64));
    if (!this.takeToken()) throw reject.other('too many submits: slow down');
    const jobId = typeof p[1] === 'string' ? p[1] : '';
    const job = this.jobs.get(jobId);
    if (!job) throw reject.notFound();
    if (typeof p[2] !== 'string' || !new RegExp(`^[0-9a-fA-F]{${EXTRANONCE2_SIZE * 2}}$`).test(p[2])) throw reject.other(`extranonce2 must be ${EXTRANONCE2_SIZE * 2} hex digits`);
    const time = parseU32Hex(p[3]);
    const nonce = parseU32Hex(p[4]);
    if (time === null || nonce === null) throw reject.other('ntime and nonce must be 8 hex digits each');
    const now = Math.floor(Date.now() / 1000);
    if (time < job.template.base.minTime || time > now + this.host.o.maxFutureSeconds) throw reject.other('ntime out of range');
    const key = `${p[2].toLowerCase()}:${time}:${nonce}`;
    if (job.seen.has(key)) throw reject.duplicate();
    // Jobs of an old tip are kept (up to MAX_JOBS) only to tell "stale" from "unknown".
    const tip = this.host.template();
    if (!tip || !bytesEqual(tip.base.prevHash, job.template.base.prevHash)) throw reject.stale();
    const share = checkShare(job, Buffer.from(p[2], 'hex'), time, nonce);
    if (share.value > job.shareTarget) throw reject.low();
    job.seen.add(key);
    this.accepted++;
    this.samples.push([Date.now(), job.difficulty]);
    if (this.samples.length > 10_000) this.samples.shift();
    this.host.record(this, 'accepted');
    if (share.value <= job.template.base.target) await this.host.foundBlock(blockOfShare(job, share), this);
    const max = this.host.o.maxDifficulty(job.template);
    const next = this.vardiff.onShare(Date.now(), max);
    if (next !== null) this.sendJob(false);
  }

  private takeToken(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.host.o.submitBurst, this.tokens + ((now - this.lastRefill) / 1000) * this.host.o.submitsPerSecond);
    this.lastRefill = now;
    if (this.tokens >= 1) { this.tokens -= 1; return true; }
    if (++this.overBudget > this.host.o.submitBurst * 10) this.close('submits far above the limit');
    return false;
  }

  /** Periodic: vardiff without shares. */
  tick(now: number): void {
    const t = this.host.template();
    if (!this.ready || !t) return;
    if (this.vardiff.onTick(now, this.host.o.maxDifficulty(t)) !== null) this.sendJob(false);
  }

  /** A fresh job on the current template (clean: drop older work); set_difficulty goes first when it changed. */
  sendJob(clean: boolean): void {
    const t = this.host.template();
    if (!this.ready || !t || this.closed) return;
    this.vardiff.clamp(this.host.o.maxDifficulty(t));
    const last = [...this.jobs.values()].pop();
    const job = buildJob(this.host.nextJobId(), t, this.pubKeyHash!, this.extranonce1, this.vardiff.difficulty);
    this.jobs.set(job.id, job);
    while (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
    if (!last || last.difficulty !== job.difficulty) this.send({ id: null, method: 'mining.set_difficulty', params: [job.difficulty] });
    this.send({ id: null, method: 'mining.notify', params: notifyParams(job, clean) });
  }

  send(msg: unknown): void {
    if (this.closed) return;
    // A client that stops reading must not fill our memory with its unsent lines.
    if (this.socket.writableLength > MAX_UNSENT) { this.close('not reading its replies'); return; }
    this.socket.write(encodeLine(msg));
  }

  close(_why: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timeout);
    this.socket.destroy();
    this.host.closed(this);
  }
}
