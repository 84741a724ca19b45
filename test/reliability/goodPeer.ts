// A well-behaved peer that pings the node about once a second and records the
// round trips. Like an honest node without blocks, it answers every getdata
// with notfound (the node may ask any peer for hashes some other peer
// announced; a peer that stays silent is dropped as stalling). It connects from 127.0.0.1 (the host attackers may get banned
// under) and, should the node ever drop it, reconnects, from 127.0.0.2 if
// 127.0.0.1 is refused by then.
import { WirePeer } from './wirePeer.js';

export interface GoodPeerStats {
  pings: number;
  maxPingMs: number;
  pingsOver2s: number;
  /** Pings that got no pong within the timeout, or whose connection broke. */
  pingFailures: number;
  drops: number;
  reconnects: number;
  /** The connection the peer opened first is still the one in use. */
  sameConnection: boolean;
}

export class GoodPeer {
  readonly stats: GoodPeerStats = { pings: 0, maxPingMs: 0, pingsOver2s: 0, pingFailures: 0, drops: 0, reconnects: 0, sameConnection: true };
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();

  private constructor(private peer: WirePeer, private readonly port: number, private readonly genesis: Uint8Array, private readonly intervalMs: number) {}

  /** Every connection this peer used, as the node names it ("host:port"). */
  readonly ids = new Set<string>();

  private static async open(port: number, addr: string, genesis: Uint8Array): Promise<WirePeer> {
    const peer = await WirePeer.connect(port, addr);
    peer.onMessage = (m) => {
      if (m.command === 'getdata') peer.send({ command: 'notfound', items: m.items });
    };
    await peer.handshake(genesis);
    return peer;
  }

  static async start(port: number, genesis: Uint8Array, intervalMs = 1000): Promise<GoodPeer> {
    const peer = await GoodPeer.open(port, '127.0.0.1', genesis);
    const g = new GoodPeer(peer, port, genesis, intervalMs);
    g.ids.add(peer.id);
    g.loopDone = g.loop();
    return g;
  }

  get connection(): WirePeer {
    return this.peer;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.pingOnce();
      await new Promise((r) => setTimeout(r, this.intervalMs));
    }
  }

  async pingOnce(timeoutMs = 10_000): Promise<void> {
    try {
      const ms = await this.peer.ping(timeoutMs);
      this.stats.pings++;
      this.stats.maxPingMs = Math.max(this.stats.maxPingMs, ms);
      if (ms > 2000) this.stats.pingsOver2s++;
    } catch {
      this.stats.pingFailures++;
      if (this.peer.closed && !this.stopped) await this.reconnect();
    }
  }

  private async reconnect(): Promise<void> {
    this.stats.drops++;
    this.stats.sameConnection = false;
    for (const addr of ['127.0.0.1', '127.0.0.2']) {
      try {
        const p = await GoodPeer.open(this.port, addr, this.genesis);
        this.peer = p;
        this.ids.add(p.id);
        this.stats.reconnects++;
        return;
      } catch { /* refused (banned host) or not answering: try the next address */ }
    }
  }

  async stop(): Promise<GoodPeerStats> {
    this.stopped = true;
    await this.loopDone;
    this.peer.close();
    return this.stats;
  }
}
