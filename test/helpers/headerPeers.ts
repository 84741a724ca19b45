// Scripted peers for headers-first tests: a PeerManager (the real p2p layer)
// that offers NODE_HEADERS and answers getheaders from a list of headers (up to
// the stop hash, as a node does; after `delayMs`, for a slow peer), and never
// answers getdata (a peer that stalls the block download); and headers
// mined cheaply on regtest bits, for low-work and malformed header chains.
import { bytesEqual } from '../../src/core/bytes.js';
import { BlockHeader, headerHash } from '../../src/core/header.js';
import { REGTEST } from '../../src/core/params.js';
import { bitsToTarget, hashMeetsTarget } from '../../src/core/pow.js';
import { MAX_HEADERS, NODE_HEADERS, type InvItem } from '../../src/p2p/messages.js';
import { PeerManager } from '../../src/p2p/peerManager.js';

export interface StallingPeer {
  manager: PeerManager;
  port: number;
  /** Every block hash a node asked us for. */
  asked: InvItem[];
  close(): Promise<void>;
}

/** Listens on an ephemeral port; serves `headers` (genesis first) and withholds every block. */
export async function stallingPeer(headers: BlockHeader[], work: bigint, delayMs = 0): Promise<StallingPeer> {
  const hashes = headers.map(headerHash);
  const asked: InvItem[] = [];
  const manager = new PeerManager({
    params: REGTEST,
    localVersion: () => ({ protocol: 1, userAgent: '/staller/', bestHeight: headers.length, work, genesis: hashes[0]!, listenPort: 0, services: NODE_HEADERS }),
    checkVersion: () => null,
  });
  manager.on('message', (peer, m) => {
    if (m.command === 'getdata') asked.push(...m.items);
    if (m.command !== 'getheaders') return;
    let from = 0;
    for (const l of m.locator) {
      const at = hashes.findIndex((h) => bytesEqual(h, l));
      if (at >= 0) { from = at + 1; break; }
    }
    const stop = m.stop ? hashes.findIndex((h) => bytesEqual(h, m.stop!)) : -1;
    const answer = headers.slice(from, stop >= from ? Math.min(stop + 1, from + MAX_HEADERS) : from + MAX_HEADERS);
    const send = (): void => { if (!peer.closed) peer.send({ command: 'headers', headers: answer }); };
    if (delayMs > 0) setTimeout(send, delayMs).unref(); else send();
  });
  const port = await manager.listen('127.0.0.1', 0);
  return { manager, port, asked, close: () => manager.close() };
}

/** `n` headers on top of `parent`, `step` seconds apart, mined on regtest bits (or `bits`). */
export function mineHeaders(parent: BlockHeader, n: number, bits = REGTEST.genesisBits, step = 1, salt = 0): BlockHeader[] {
  const out: BlockHeader[] = [];
  let prev = parent;
  for (let i = 0; i < n; i++) {
    const h: BlockHeader = { version: 1, prevHash: headerHash(prev), merkleRoot: new Uint8Array(32).fill(salt & 0xff), time: prev.time + step, bits, nonce: 0 };
    const target = bitsToTarget(bits);
    while (!hashMeetsTarget(headerHash(h), target)) h.nonce++;
    out.push(h);
    prev = h;
  }
  return out;
}
