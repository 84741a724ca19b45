// A Stratum v1 client for tests that builds headers the way cpuminer does,
// from the notify fields alone (coinb1, extranonce1, extranonce2, coinb2, the
// branch, the prevhash words, version/nbits/ntime hex), with node:crypto's
// SHA-256: nothing of pubchain's own code is used to build or hash them.
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface Notify {
  jobId: string; prevhash: string; coinb1: string; coinb2: string; branch: string[];
  version: string; nbits: string; ntime: string; clean: boolean;
}

export interface StratumReply { id: number | string | null; result: unknown; error: unknown }

const sha256d = (b: Buffer): Buffer => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
const DIFF1 = 0xffffn << 208n;

/** Reverses the byte order of each 4-byte word (prevhash as sent → header bytes). */
function swap32(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i += 4) for (let j = 0; j < 4; j++) out[i + j] = b[i + 3 - j]!;
  return out;
}

const le32 = (hex8: string): Buffer => Buffer.from(hex8, 'hex').reverse();

export function shareTarget(difficulty: number): bigint {
  const scaled = BigInt(Math.max(1, Math.round(difficulty * 2 ** 64)));
  const t = (DIFF1 << 64n) / scaled;
  const max = (1n << 256n) - 1n;
  return t > max ? max : t;
}

export function buildHeader(n: Notify, extranonce1: string, extranonce2: string, ntime: string, nonce: number): Buffer {
  const coinbase = Buffer.from(n.coinb1 + extranonce1 + extranonce2 + n.coinb2, 'hex');
  let root = sha256d(coinbase);
  for (const b of n.branch) root = sha256d(Buffer.concat([root, Buffer.from(b, 'hex')]));
  const nonceBytes = Buffer.alloc(4);
  nonceBytes.writeUInt32LE(nonce >>> 0);
  return Buffer.concat([le32(n.version), swap32(Buffer.from(n.prevhash, 'hex')), root, le32(ntime), le32(n.nbits), nonceBytes]);
}

export function hashValue(header: Buffer): bigint {
  return BigInt(`0x${Buffer.from(sha256d(header)).reverse().toString('hex')}`);
}

export class StratumClient {
  readonly socket: Socket;
  private buf = '';
  private nextId = 1;
  private readonly waiting = new Map<number, (r: StratumReply) => void>();
  readonly lines: unknown[] = [];
  readonly notifies: Notify[] = [];
  difficulty = 1;
  /** The difficulty in effect when each job arrived (miners apply set_difficulty to the next notify). */
  readonly jobDifficulty = new Map<string, number>();
  extranonce1 = '';
  closed = false;
  private listeners: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.onData(d));
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<StratumClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new StratumClient(s)));
      s.once('error', reject);
    });
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      const msg = JSON.parse(line) as { id: unknown; method?: string; params?: unknown[]; result?: unknown; error?: unknown };
      this.lines.push(msg);
      if (msg.method === 'mining.set_difficulty') this.difficulty = msg.params![0] as number;
      else if (msg.method === 'mining.notify') {
        const p = msg.params as [string, string, string, string, string[], string, string, string, boolean];
        this.notifies.push({ jobId: p[0], prevhash: p[1], coinb1: p[2], coinb2: p[3], branch: p[4], version: p[5], nbits: p[6], ntime: p[7], clean: p[8] });
        this.jobDifficulty.set(p[0], this.difficulty);
      } else if (typeof msg.id === 'number' && this.waiting.has(msg.id)) {
        this.waiting.get(msg.id)!(msg as StratumReply);
        this.waiting.delete(msg.id);
      }
      this.wake();
    }
  }

  private wake(): void {
    const l = this.listeners;
    this.listeners = [];
    for (const f of l) f();
  }

  /** Waits (bounded) until `pred` holds, re-checking on every line received. */
  async until(what: string, pred: () => boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => { this.listeners.push(r); setTimeout(r, Math.min(left, 200)).unref(); });
    }
  }

  writeRaw(text: string): void { this.socket.write(text); }

  request(method: string, params: unknown[]): Promise<StratumReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve);
      this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
      const t = setTimeout(() => reject(new Error(`no reply to ${method}`)), 20_000);
      t.unref();
    });
  }

  async subscribe(): Promise<StratumReply> {
    const r = await this.request('mining.subscribe', ['test-miner/1.0']);
    this.extranonce1 = (r.result as [unknown, string, number])[1];
    return r;
  }

  get job(): Notify | undefined { return this.notifies[this.notifies.length - 1]; }

  /** Searches nonces from `start` for a header meeting `target`; null after `tries`. */
  static solve(n: Notify, en1: string, en2: string, target: bigint, start = 0, tries = 1 << 20): { nonce: number; header: Buffer } | null {
    for (let i = 0; i < tries; i++) {
      const nonce = (start + i) >>> 0;
      const header = buildHeader(n, en1, en2, n.ntime, nonce);
      if (hashValue(header) <= target) return { nonce, header };
    }
    return null;
  }

  submit(worker: string, jobId: string, en2: string, ntime: string, nonce: number): Promise<StratumReply> {
    return this.request('mining.submit', [worker, jobId, en2, ntime, (nonce >>> 0).toString(16).padStart(8, '0')]);
  }

  close(): void { this.socket.destroy(); }
}
