// Links shaped in user space, used where tc netem is missing (and for the
// partitions in every mode): each edge a→b of the topology is a TCP proxy in the
// controller that node a dials instead of b. Every chunk is held for the link's
// one-way latency ± jitter; a "lost" segment costs what TCP pays for it, a
// retransmission timeout (at least 200 ms, as in Linux), and what follows waits
// behind it (a byte stream stays in order). A cut link holds its bytes, like a
// network that drops packets while TCP keeps retrying; healed, they flow again.
import { connect, createServer, Server, Socket } from 'node:net';
import type { LinkShape } from './topology.js';

const MIN_RTO_MS = 200;

class Pipe {
  private readonly queue: Array<{ data: Buffer; at: number }> = [];
  private last = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly link: ShapedLink, private readonly to: Socket, private readonly rnd: () => number) {}

  push(data: Buffer): void {
    const s = this.link.shape;
    let at = Date.now() + Math.max(0, s.latencyMs + (this.rnd() * 2 - 1) * s.jitterMs);
    if (this.rnd() * 100 < s.lossPct) at += Math.max(MIN_RTO_MS, 2 * s.latencyMs);
    at = Math.max(at, this.last);
    this.last = at;
    this.queue.push({ data, at });
    this.kick();
  }

  kick(): void {
    if (this.timer || this.link.cut || this.queue.length === 0) return;
    const wait = Math.max(0, this.queue[0]!.at - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = Date.now();
      while (this.queue.length && this.queue[0]!.at <= now && !this.link.cut) {
        const { data } = this.queue.shift()!;
        if (!this.to.destroyed) this.to.write(data);
      }
      this.kick();
    }, wait);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

export class ShapedLink {
  cut = false;
  port = 0;
  private server: Server | null = null;
  private readonly pipes = new Set<Pipe>();
  private readonly sockets = new Set<Socket>();

  constructor(readonly a: number, readonly b: number, public shape: LinkShape, private readonly target: { host: string; port: number }, private readonly rnd: () => number, private readonly diallerOf: (host: string) => number | null) {}

  async listen(host: string): Promise<number> {
    const server = createServer((inbound) => this.onConnection(inbound));
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, () => resolve()); });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  /**
   * Only node a may use the link (others learn its address through addr gossip,
   * and would cross a partition through it): a dialler known by its source
   * address must be a, and the link carries one connection at a time.
   */
  private onConnection(inbound: Socket): void {
    const dialler = this.diallerOf(inbound.remoteAddress ?? '');
    if ((dialler !== null && dialler !== this.a) || this.sockets.size > 0) {
      inbound.destroy();
      return;
    }
    const outbound = connect(this.target);
    const up = new Pipe(this, outbound, this.rnd);
    const down = new Pipe(this, inbound, this.rnd);
    for (const [s, p] of [[inbound, up], [outbound, down]] as const) {
      this.sockets.add(s);
      this.pipes.add(p);
      s.setNoDelay(true);
      s.on('data', (d: Buffer) => p.push(d));
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        up.stop(); down.stop();
        this.pipes.delete(up); this.pipes.delete(down);
        inbound.destroy(); outbound.destroy();
      });
    }
  }

  setCut(cut: boolean): void {
    this.cut = cut;
    if (!cut) for (const p of this.pipes) p.kick();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
