// What the light sync's rooms (filter headers, filters, blocks) need from the
// network: the ready full peers, how far each one's chain reaches on ours, the
// request registry, and one bounded block fetch shared by all of them.
import type { Block } from '../../core/block.js';
import type { Message } from '../../p2p/messages.js';
import type { HeaderEntry } from '../headerSyncChain.js';
import type { Logger } from '../logger.js';
import { bodyMismatch } from './filterCheck.js';
import type { LightRequests } from './lightRequests.js';

export interface LightPeer {
  readonly id: string;
  readonly closed: boolean;
  send(m: Message): void;
  misbehave(score: number, reason: string): void;
}

export interface SyncPorts {
  /** Ready full peers, in the order to prefer them. */
  peers(): LightPeer[];
  /** The height up to which the peer has shown us our best chain (its headers, or its version's height). */
  reach(peer: LightPeer): number;
  requests: LightRequests;
  /** How long one answer may take before the request goes to another peer. */
  timeoutMs: number;
  log: Logger;
  /** Counted for the tests and progress(): block bodies asked for. */
  onBlockRequest?(peer: LightPeer, hash: Uint8Array): void;
}

/** Peers that reach `height`, `prefer` first; each once. */
export function peersFor(ports: SyncPorts, height: number, prefer: LightPeer[] = []): LightPeer[] {
  const out: LightPeer[] = [];
  for (const p of [...prefer, ...ports.peers()]) if (!p.closed && !out.includes(p) && ports.reach(p) >= height) out.push(p);
  return out;
}

/**
 * The body of a block of our header chain, from the first of `from` that delivers
 * it in time with a Merkle root that is its header's; a peer that sends a wrong
 * body is penalised, one that withholds it (notfound, silence) just loses the
 * request to the next. Null when nobody delivered.
 */
export async function fetchBlock(ports: SyncPorts, e: HeaderEntry, from: LightPeer[]): Promise<Block | null> {
  for (const peer of from) {
    if (peer.closed) continue;
    const answer = ports.requests.wait<Block>(peer.id, 'block', e.hash, ports.timeoutMs);
    ports.onBlockRequest?.(peer, e.hash);
    peer.send({ command: 'getdata', items: [{ kind: 'block', hash: e.hash }] });
    const block = await answer;
    if (!block) { ports.log.info({ peer: peer.id, height: e.height }, 'peer did not deliver a block; asking another'); continue; }
    const why = bodyMismatch(block, e.header);
    if (why) { peer.misbehave(100, `sent ${why}`); continue; }
    return block;
  }
  return null;
}
