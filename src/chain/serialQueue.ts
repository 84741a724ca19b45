// Runs async jobs one at a time, in call order. Blocks arrive from many peers
// at once; the chain state may only move one block at a time.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get size(): number { return this.pending; }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(job).finally(() => { this.pending--; });
    // A failed job must not poison the jobs queued behind it.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every job queued so far has finished. */
  idle(): Promise<void> {
    return this.run(async () => undefined);
  }
}
