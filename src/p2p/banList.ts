// Banned hosts, with expiry. A host that reaches ban score 100 is refused for
// `durationMs` (a day by default), inbound and outbound.
export const DEFAULT_BAN_MS = 24 * 60 * 60 * 1000;

export class BanList {
  private readonly until = new Map<string, number>();

  constructor(private readonly durationMs = DEFAULT_BAN_MS, private readonly now: () => number = Date.now) {}

  ban(host: string): void {
    this.until.set(host, this.now() + this.durationMs);
  }

  isBanned(host: string): boolean {
    const t = this.until.get(host);
    if (t === undefined) return false;
    if (t > this.now()) return true;
    this.until.delete(host);
    return false;
  }

  get size(): number { return this.until.size; }
}
