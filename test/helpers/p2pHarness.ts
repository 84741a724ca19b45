// Two ends of real TCP connections on 127.0.0.1 for p2p tests: a PeerManager
// under test, and raw sockets or a second manager talking to it.
import { connect, Socket } from 'node:net';
import { REGTEST } from '../../src/core/params.js';
import type { VersionInfo } from '../../src/p2p/messages.js';
import { PeerManager, type PeerManagerOptions } from '../../src/p2p/peerManager.js';

export const GENESIS_A = new Uint8Array(32).fill(0xaa);
export const GENESIS_B = new Uint8Array(32).fill(0xbb);

export function makeManager(genesis: Uint8Array, extra: Partial<PeerManagerOptions> = {}): PeerManager {
  return new PeerManager({
    params: REGTEST,
    localVersion: () => ({ protocol: 1, userAgent: '/test/', bestHeight: 1, work: 1n, genesis, listenPort: 0 }),
    checkVersion: (v: VersionInfo) => (Buffer.compare(v.genesis, genesis) === 0 ? null : 'peer is on another chain'),
    ...extra,
  });
}

export async function rawSocket(port: number): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
  s.on('error', () => undefined);
  // Keep the stream flowing so the peer's close is seen.
  s.resume();
  return s;
}


export function closed(s: Socket, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.destroyed || s.readableEnded) { resolve(); return; }
    const t = setTimeout(() => reject(new Error('socket was not closed')), ms);
    s.once('close', () => { clearTimeout(t); resolve(); });
  });
}
