// A listening peer that claims a long chain, answers `getblocks` with its
// hashes and then never delivers a block: what a stalling (or lying) peer looks
// like from the node that dials it. It answers the handshake and pings, so only
// the block download can tell it apart from a good peer.
import { createServer, Server } from 'node:net';
import type { Built } from '../helpers/chainFixtures.js';
import { versionMessage, WirePeer } from './wirePeer.js';

export class StallPeer {
  readonly connections: WirePeer[] = [];
  /** Hashes the node asked us for (and never got). */
  requested = 0;
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(chain: Built[], announceFrom: number): Promise<StallPeer> {
    const tip = chain[chain.length - 1]!;
    let self: StallPeer;
    const server = createServer((socket) => {
      const p = WirePeer.accept(socket);
      self.connections.push(p);
      p.send(versionMessage(chain[0]!.hash, { bestHeight: tip.height, work: 1n << 200n }));
      p.send({ command: 'verack' });
      p.onMessage = (m) => {
        if (m.command === 'getblocks') p.send({ command: 'inv', items: chain.slice(announceFrom).map((b) => ({ kind: 'block' as const, hash: b.hash })) });
        if (m.command === 'getdata') self.requested += m.items.length;
      };
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new StallPeer(server, (server.address() as { port: number }).port);
    return self;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
