// The Stratum v1 server: a TCP listener, one Session per miner, and the shared
// template behind every job. It knows nothing of the node: the node injects how
// to read a template, how to submit a block, and when the tip or mempool moves.
import { createServer, type Server, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import type { Block } from '../../core/block.js';
import { bytesEqual, hashToHex } from '../../core/bytes.js';
import { headerHash } from '../../core/header.js';
import type { BlockTemplate } from '../template.js';
import type { RejectReason } from './errors.js';
import { encodeLine } from './framing.js';
import { describeTemplate, makeTemplate, type StratumTemplate } from './jobs.js';
import { resolveOptions, type ResolvedStratumOptions, type StratumOptions } from './options.js';
import { Session, type SessionHost } from './session.js';
import { StratumStats, type StratumInfo } from './stats.js';

export interface StratumLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface StratumHooks {
  /**
   * The block template to mine on now (mining/template.ts; its payout is unused:
   * each connection's coinbase pays that connection's address); null while there is no chain.
   */
  template(): Promise<BlockTemplate | null>;
  /** Full validation, storage and relay, as for a peer's block: null when accepted, else the reason. */
  submitBlock(block: Block): Promise<string | null>;
  /** Subscriptions; each returns its unsubscribe function. */
  onTip(fn: () => void): () => void;
  onTx(fn: () => void): () => void;
  log: StratumLog;
}

export class StratumServer implements SessionHost {
  readonly o: ResolvedStratumOptions;
  readonly stats = new StratumStats();
  private readonly sessions = new Set<Session>();
  private readonly extranonces = new Set<number>();
  private nextExtranonce = randomInt(0, 2 ** 32);
  private jobSeq = 0;
  private current: StratumTemplate | null = null;
  private seq = 0;
  private refreshing: Promise<void> | null = null;
  private again: { clean: boolean } | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private lastJobAt = 0;
  private unsub: Array<() => void> = [];
  private server: Server | null = null;
  port = 0;

  constructor(opts: StratumOptions, private readonly hooks: StratumHooks) {
    this.o = resolveOptions(opts);
  }

  async listen(): Promise<void> {
    const server = createServer((socket) => this.onConnection(socket));
    server.maxConnections = this.o.maxConnections + 16;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.bind, () => { server.off('error', reject); resolve(); });
    });
    server.on('error', (err) => this.hooks.log.warn({ err }, 'stratum listener error'));
    this.server = server;
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : this.o.port;
    this.unsub.push(this.hooks.onTip(() => this.onTip()), this.hooks.onTx(() => this.onTx()));
    this.ticker = setInterval(() => this.tick(), Math.min(5_000, this.o.keepaliveMs));
    this.ticker.unref();
    await this.refresh(true);
    this.hooks.log.info({ bind: this.o.bind, port: this.port }, 'stratum server listening');
  }

  async close(): Promise<void> {
    for (const u of this.unsub) u();
    this.unsub = [];
    if (this.ticker) clearInterval(this.ticker);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const s of [...this.sessions]) s.close('server stopping');
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.refreshing;
  }

  // ---- SessionHost ----------------------------------------------------------

  template(): StratumTemplate | null { return this.current; }

  nextJobId(): string { return (++this.jobSeq).toString(16); }

  async foundBlock(block: Block, session: Session): Promise<void> {
    const hash = hashToHex(headerHash(block.header));
    let reason: string | null;
    try {
      reason = await this.hooks.submitBlock(block);
    } catch (err) {
      // The node is stopping (or broke): the miner's share stands, the block is not ours to keep.
      this.hooks.log.warn({ hash, err }, 'could not submit a block from a stratum share');
      return;
    }
    if (reason === null) {
      this.stats.blocksFound++;
      this.hooks.log.info({ hash, height: this.current?.base.height, address: session.address }, 'stratum miner found a block');
    } else {
      this.stats.blocksRejected[reason] = (this.stats.blocksRejected[reason] ?? 0) + 1;
      this.hooks.log.warn({ hash, reason, address: session.address }, 'block from a stratum share was not accepted');
    }
  }

  record(_s: Session, outcome: 'accepted' | RejectReason): void { this.stats.count(outcome); }

  closed(s: Session): void {
    this.sessions.delete(s);
    this.extranonces.delete(new DataView(s.extranonce1.buffer, s.extranonce1.byteOffset, 4).getUint32(0));
  }

  info(): StratumInfo { return this.stats.info(this.port, this.o.bind, [...this.sessions], this.current); }

  // ---- connections and jobs --------------------------------------------------

  private onConnection(socket: Socket): void {
    if (this.sessions.size >= this.o.maxConnections) {
      socket.on('error', () => undefined);
      socket.end(encodeLine({ id: null, result: null, error: [20, 'too many connections', null] }));
      socket.destroySoon?.();
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    // extranonce1 is unique among live connections: two miners never build the same coinbase.
    let n = this.nextExtranonce;
    while (this.extranonces.has(n)) n = (n + 1) >>> 0;
    this.nextExtranonce = (n + 1) >>> 0;
    this.extranonces.add(n);
    const en1 = new Uint8Array(4);
    new DataView(en1.buffer).setUint32(0, n);
    this.sessions.add(new Session(socket, en1, this));
  }

  private onTip(): void {
    const t0 = performance.now();
    void this.refresh(true).then(() => this.stats.notifyDelay(performance.now() - t0));
  }

  private onTx(): void {
    if (this.refreshTimer) return;
    const since = Date.now() - (this.current?.createdAt ?? 0);
    const wait = Math.max(0, this.o.refreshMs - since);
    this.refreshTimer = setTimeout(() => { this.refreshTimer = null; void this.refresh(false); }, wait);
    this.refreshTimer.unref();
  }

  private tick(): void {
    if (Date.now() - this.lastJobAt >= this.o.keepaliveMs) { void this.refresh(false); return; }
    const now = Date.now();
    for (const s of this.sessions) s.tick(now);
  }

  /** Builds a new template and sends every ready connection a job on it; calls during a build are folded into one more. */
  refresh(clean: boolean): Promise<void> {
    if (this.refreshing) {
      this.again = { clean: clean || (this.again?.clean ?? false) };
      return this.refreshing;
    }
    this.refreshing = (async () => {
      let want: { clean: boolean } | null = { clean };
      while (want) {
        this.again = null;
        try {
          await this.rebuild(want.clean);
        } catch (err) {
          this.hooks.log.warn({ err }, 'stratum template failed');
        }
        want = this.again;
      }
    })().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  private async rebuild(clean: boolean): Promise<void> {
    const base = await this.hooks.template();
    if (!base) return;
    const prev = this.current;
    const tipMoved = !prev || !bytesEqual(prev.base.prevHash, base.prevHash);
    this.current = makeTemplate(++this.seq, base);
    this.lastJobAt = Date.now();
    this.hooks.log.debug(describeTemplate(this.current), 'stratum template');
    for (const s of this.sessions) s.sendJob(clean || tipMoved);
  }
}
