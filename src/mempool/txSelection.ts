// Choosing mempool transactions for a block: highest fee rate first among
// those whose in-pool parents are already chosen, so parents always precede
// children and the set is valid on top of the tip.

export interface Candidate {
  key: string;
  size: number;
  feeRate: number;
  /** Insertion order: the older of two equal fee rates goes first. */
  seq: number;
  parents: Set<string>;
  children: Set<string>;
}

const before = (a: Candidate, b: Candidate): boolean => a.feeRate > b.feeRate || (a.feeRate === b.feeRate && a.seq < b.seq);

/** A binary heap ordered by `before`. */
class CandidateHeap {
  private readonly items: Candidate[] = [];
  get size(): number { return this.items.length; }

  push(c: Candidate): void {
    const a = this.items;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): Candidate | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Keys of the chosen candidates, in block order, their sizes summing to at most `maxBytes`. */
export function selectCandidates(pool: Map<string, Candidate>, maxBytes: number): string[] {
  const waiting = new Map<string, number>();
  const heap = new CandidateHeap();
  for (const c of pool.values()) {
    if (c.parents.size === 0) heap.push(c);
    else waiting.set(c.key, c.parents.size);
  }
  const chosen: string[] = [];
  let bytes = 0;
  while (heap.size > 0) {
    const c = heap.pop()!;
    // Too big for what is left: skip it, and so its descendants never become ready.
    if (bytes + c.size > maxBytes) continue;
    bytes += c.size;
    chosen.push(c.key);
    for (const child of c.children) {
      const left = waiting.get(child)! - 1;
      if (left === 0) { waiting.delete(child); heap.push(pool.get(child)!); } else waiting.set(child, left);
    }
  }
  return chosen;
}
