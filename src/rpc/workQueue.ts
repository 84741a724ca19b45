// bitcoind's -rpcthreads and -rpcworkqueue: at most `threads` requests run at
// once, at most `depth` more wait their turn, and a request beyond that is
// refused at once (the server answers 503) instead of piling up without bound.
export const DEFAULT_RPC_THREADS = 4;
export const DEFAULT_RPC_WORK_QUEUE = 16;

export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly threads = DEFAULT_RPC_THREADS, readonly depth = DEFAULT_RPC_WORK_QUEUE) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`rpc threads must be a whole number above 0, not ${threads}`);
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`the rpc work queue must be a whole number above 0, not ${depth}`);
  }

  get active(): number { return this.running; }
  get queued(): number { return this.waiting.length; }

  /** Runs `job` now or after those ahead of it; null (and `job` never runs) when the queue is full. */
  run<T>(job: () => Promise<T>): Promise<T> | null {
    if (this.running >= this.threads && this.waiting.length >= this.depth) return null;
    const start = this.running < this.threads
      ? Promise.resolve()
      : new Promise<void>((resolve) => { this.waiting.push(resolve); });
    if (this.running < this.threads) this.running++;
    return start.then(job).finally(() => {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; otherwise it is freed.
      if (next) next();
      else this.running--;
    });
  }
}
