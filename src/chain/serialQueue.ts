// Runs async jobs one at a time, in call order. Blocks arrive from many peers
// at once; the chain state may only move one block at a time.
//
// A job may leave work behind (`leave`): a connected block whose signatures
// are still being verified, which will move the chain when they pass. Every
// later job waits for that work to settle before it starts, unless it is run
// with `overlap`: then it starts at once and must itself wait (`settled`)
// before it reads or changes anything the work behind changes.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private behind: Promise<void> | null = null;

  get size(): number { return this.pending; }

  run<T>(job: () => Promise<T>, opts: { overlap?: boolean } = {}): Promise<T> {
    this.pending++;
    const result = this.tail.then(async () => {
      if (!opts.overlap) await this.settled();
      return job();
    }).finally(() => { this.pending--; });
    // A failed job must not poison the jobs queued behind it.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** From a running job: `work` goes on after the job returns, and later jobs wait for it (its failure is its owner's to report). */
  leave(work: Promise<unknown>): void {
    this.behind = work.then(() => undefined, () => undefined);
  }

  /** Resolves once the work left behind has settled. */
  async settled(): Promise<void> {
    while (this.behind) {
      const w = this.behind;
      await w;
      if (this.behind === w) this.behind = null;
    }
  }

  /** Resolves once every job queued so far, and the work they left behind, has finished. */
  idle(): Promise<void> {
    return this.run(async () => undefined);
  }
}
