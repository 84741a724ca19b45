// IP addresses and subnets for bans and --whitelist: "1.2.3.4", "1.2.3.0/24",
// "1.2.3.0/255.255.255.0", "::1", "fd00::/8". IPv4-mapped IPv6 (how a
// dual-stack listener sees IPv4 peers, ::ffff:1.2.3.4) is treated as IPv4.
import { isIP } from 'node:net';

export interface Subnet {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  base: bigint;
  bits: number;
}

const widthOf = (family: 4 | 6): number => (family === 4 ? 32 : 128);
const maskOf = (family: 4 | 6, bits: number): bigint => {
  const w = BigInt(widthOf(family));
  return bits === 0 ? 0n : ((1n << w) - 1n) ^ ((1n << (w - BigInt(bits))) - 1n);
};

function v4ToBig(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(text: string): bigint {
  let t = text;
  const lastColon = t.lastIndexOf(':');
  if (t.slice(lastColon + 1).includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) is two more 16-bit groups.
    const v4 = v4ToBig(t.slice(lastColon + 1));
    t = `${t.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const groups = (s: string): bigint[] => (s === '' ? [] : s.split(':').map((g) => BigInt(`0x${g}`)));
  const gap = t.indexOf('::');
  const all = gap < 0 ? groups(t) : (() => {
    const left = groups(t.slice(0, gap));
    const right = groups(t.slice(gap + 2));
    return [...left, ...Array<bigint>(8 - left.length - right.length).fill(0n), ...right];
  })();
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** An IP literal as family and number; null when it is not one. Mapped IPv4 becomes IPv4. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | null {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const kind = isIP(t);
  if (kind === 4) return { family: 4, value: v4ToBig(t) };
  if (kind !== 6) return null;
  const value = v6ToBig(t.split('%')[0]!);
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

/** "IP", "IP/bits" or "IPv4/dotted-mask"; null when malformed. A bare IP is a /32 or /128. */
export function parseSubnet(text: string): Subnet | null {
  const [addr, suffix, extra] = text.trim().split('/');
  if (extra !== undefined || !addr) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const w = widthOf(ip.family);
  let bits = w;
  if (suffix !== undefined) {
    if (/^\d{1,3}$/.test(suffix)) bits = Number(suffix);
    else if (ip.family === 4 && isIP(suffix) === 4) {
      const m = v4ToBig(suffix);
      bits = Array.from({ length: 33 }, (_, b) => b).find((b) => maskOf(4, b) === m) ?? -1;
    } else return null;
    if (bits < 0 || bits > w) return null;
  }
  return { family: ip.family, base: ip.value & maskOf(ip.family, bits), bits };
}

export function subnetContains(s: Subnet, host: string): boolean {
  const ip = parseIp(host);
  return ip !== null && ip.family === s.family && (ip.value & maskOf(s.family, s.bits)) === s.base;
}

/** As bitcoind lists it: "1.2.3.4/32", "1.2.3.0/24", "::1/128". */
export function formatSubnet(s: Subnet): string {
  if (s.family === 4) return `${[24n, 16n, 8n, 0n].map((sh) => (s.base >> sh) & 0xffn).join('.')}/${s.bits}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((s.base >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups (two or more) becomes "::".
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const text = best < 0 ? groups.join(':') : `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
  return `${text}/${s.bits}`;
}

/** 127.0.0.0/8 and ::1 (also as mapped IPv4), and the name localhost: never banned, only disconnected. */
export function isLocalAddress(host: string): boolean {
  if (host === 'localhost') return true;
  const ip = parseIp(host);
  if (!ip) return false;
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}
