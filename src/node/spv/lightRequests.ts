// The light node's outstanding requests to its peers, each bounded in time:
// a waiter per expected answer (a block, a cfilter, a cfheaders), keyed by what
// the answer names (its hash), resolved with the answer, or with null when the
// time is up, the peer says notfound, or the peer leaves. Answers nobody waits
// for are dropped.
import { bytesKey } from '../../core/bytes.js';

export type AnswerKind = 'block' | 'cfilter' | 'cfheaders';

interface Waiter { resolve: (v: unknown) => void; timer: NodeJS.Timeout }

export class LightRequests {
  private readonly waiting = new Map<string, Waiter>();
  private readonly byPeer = new Map<string, Set<string>>();
  private closed = false;

  private static key(peer: string, kind: AnswerKind, hash: Uint8Array): string {
    return `${peer}|${kind}|${bytesKey(hash)}`;
  }

  /** Waits for `peer`'s answer of `kind` naming `hash` (after `send` asked for it); null after `timeoutMs`. */
  wait<T>(peer: string, kind: AnswerKind, hash: Uint8Array, timeoutMs: number): Promise<T | null> {
    const k = LightRequests.key(peer, kind, hash);
    this.settle(k, null);
    if (this.closed) return Promise.resolve(null);
    return new Promise<T | null>((resolve) => {
      const timer = setTimeout(() => this.settle(k, null), timeoutMs);
      timer.unref();
      this.waiting.set(k, { resolve: resolve as (v: unknown) => void, timer });
      let set = this.byPeer.get(peer);
      if (!set) this.byPeer.set(peer, (set = new Set()));
      set.add(k);
    });
  }

  /** An answer arrived: true when someone waited for it. */
  deliver(peer: string, kind: AnswerKind, hash: Uint8Array, value: unknown): boolean {
    return this.settle(LightRequests.key(peer, kind, hash), value);
  }

  /** The peer left: everything it owed us is null. */
  dropPeer(peer: string): void {
    for (const k of [...(this.byPeer.get(peer) ?? [])]) this.settle(k, null);
    this.byPeer.delete(peer);
  }

  /** Shutting down: every waiter, now and later, gets null at once. */
  dropAll(): void {
    this.closed = true;
    for (const k of [...this.waiting.keys()]) this.settle(k, null);
  }

  private settle(k: string, value: unknown): boolean {
    const w = this.waiting.get(k);
    if (!w) return false;
    clearTimeout(w.timer);
    this.waiting.delete(k);
    this.byPeer.get(k.slice(0, k.indexOf('|')))?.delete(k);
    w.resolve(value);
    return true;
  }
}
