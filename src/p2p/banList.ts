// Banned addresses and subnets, with expiry, and the noban list (--whitelist).
// A host that reaches ban score 100 is refused for `durationMs` (a day by
// default), inbound and outbound, unless it is local (127.0.0.0/8, ::1: on one
// machine that would cut off every other node there) or on the noban list;
// those are only disconnected. `setban` adds and removes entries by hand.
import { formatSubnet, isLocalAddress, parseSubnet, subnetContains, type Subnet } from './subnet.js';

export const DEFAULT_BAN_MS = 24 * 60 * 60 * 1000;

export interface BanEntry {
  subnet: Subnet;
  /** As bitcoind lists it: "1.2.3.4/32". */
  address: string;
  createdMs: number;
  untilMs: number;
  reason: string;
}

export class BanList {
  private readonly entries = new Map<string, BanEntry>();
  private readonly noban: Subnet[] = [];
  /** Bans made since start (automatic and by hand), for metrics. */
  added = 0;

  constructor(private readonly durationMs = DEFAULT_BAN_MS, private readonly now: () => number = Date.now) {}

  /** Adds noban subnets (--whitelist); RangeError for one that is not an IP or CIDR. */
  allow(specs: string[]): void {
    for (const spec of specs) {
      const s = parseSubnet(spec);
      if (!s) throw new RangeError(`invalid --whitelist "${spec}": give an IP address or a subnet such as 10.0.0.0/8`);
      this.noban.push(s);
    }
  }

  /** On the noban list: never banned, whatever it does. */
  isNoban(host: string): boolean {
    return this.noban.some((s) => subnetContains(s, host));
  }

  /** Whether a misbehaving `host` may be banned (false: disconnect it only). */
  mayBan(host: string): boolean {
    return !isLocalAddress(host) && !this.isNoban(host);
  }

  /** The automatic ban at score 100: false (nothing added) for a local or noban host. */
  ban(host: string, reason = 'misbehaving'): boolean {
    if (!this.mayBan(host)) return false;
    const subnet = parseSubnet(host);
    if (!subnet) return false;
    this.put(subnet, this.now() + this.durationMs, reason);
    return true;
  }

  /** setban add: the subnet until `untilMs`; false when it is already banned. */
  add(subnet: Subnet, untilMs: number, reason = 'manually added'): boolean {
    this.expire();
    if (this.entries.has(formatSubnet(subnet))) return false;
    this.put(subnet, untilMs, reason);
    return true;
  }

  /** setban remove: false when the subnet was not on the list. */
  remove(subnet: Subnet): boolean {
    return this.entries.delete(formatSubnet(subnet));
  }

  clear(): void {
    this.entries.clear();
  }

  isBanned(host: string): boolean {
    this.expire();
    for (const e of this.entries.values()) if (subnetContains(e.subnet, host)) return true;
    return false;
  }

  list(): BanEntry[] {
    this.expire();
    return [...this.entries.values()];
  }

  get size(): number {
    this.expire();
    return this.entries.size;
  }

  get defaultDurationMs(): number { return this.durationMs; }

  private put(subnet: Subnet, untilMs: number, reason: string): void {
    const address = formatSubnet(subnet);
    this.entries.set(address, { subnet, address, createdMs: this.now(), untilMs, reason });
    this.added++;
  }

  private expire(): void {
    const t = this.now();
    for (const [k, e] of this.entries) if (e.untilMs <= t) this.entries.delete(k);
  }
}
