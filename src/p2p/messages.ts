// Typed wire messages over the generated protobuf code (proto/pubchain.proto).
// Decoding validates every field a peer controls (hash sizes, list lengths,
// string lengths) and fails only with a ban-scored ValidationError.
// Every uint64 field is a bigint here, carried exactly to and from protobufjs' Long.
import { randomBytes } from 'node:crypto';
import Long from 'long';
import { ValidationError } from '../core/errors.js';
import { BlockHeader, HEADER_SIZE, parseHeader, serializeHeader } from '../core/header.js';
import { MAX_LOCATOR_HASHES } from '../core/params.js';
import { pubchain } from '../generated/proto.js';
import { decodeFilterMessage, encodeFilterMessage, FILTER_PAYLOAD_TYPES, type FilterCommand, type FilterMessage } from './filterMessages.js';

export const MAX_INV_ITEMS = 50_000;
export { MAX_LOCATOR_HASHES };
export const MAX_ADDRS = 1000;
/** The most headers one `headers` message may hold (as Bitcoin's). */
export const MAX_HEADERS = 2000;
/** Version `services` bit: the node answers getheaders (headers-first sync). */
export const NODE_HEADERS = 1n;
/** Version `services` bit: a light node (BIP157 client, src/node/spv/): it serves no blocks or headers. */
export const NODE_LIGHT = 2n;
const MAX_USER_AGENT = 256;
const MAX_HOST = 255;
const MALFORMED_BAN = 20;

export type InvKind = 'block' | 'tx';
export interface InvItem { kind: InvKind; hash: Uint8Array }
export interface VersionInfo {
  protocol: number;
  userAgent: string;
  bestHeight: number;
  work: bigint;
  genesis: Uint8Array;
  listenPort: number;
  nonce: bigint;
  timestamp: bigint;
  /** Service bits (NODE_HEADERS); 0 or absent from older nodes. */
  services?: bigint;
}
export interface PeerAddress { host: string; port: number; lastSeen: bigint }

export type Message =
  | { command: 'version'; version: VersionInfo }
  | { command: 'verack' }
  | { command: 'addr'; addresses: PeerAddress[] }
  | { command: 'getaddr' }
  | { command: 'getblocks' | 'getheaders'; locator: Uint8Array[]; stop: Uint8Array | null }
  | { command: 'headers'; headers: BlockHeader[] }
  | { command: 'inv' | 'getdata' | 'notfound'; items: InvItem[] }
  | { command: 'block'; block: Uint8Array }
  | { command: 'tx'; tx: Uint8Array }
  | { command: 'ping' | 'pong'; nonce: bigint }
  | { command: 'reject'; rejected: string; code: string; reason: string; hash: Uint8Array | null }
  | FilterMessage;

export type Command = Message['command'];
/** The proto/pubchain.proto message each command's payload is. */
export const PAYLOAD_TYPES: Readonly<Record<Command, string>> = {
  version: 'Version', verack: 'Verack', addr: 'Addr', getaddr: 'GetAddr', getblocks: 'GetBlocks', getheaders: 'GetHeaders', headers: 'Headers', inv: 'Inventory', getdata: 'Inventory',
  notfound: 'Inventory', block: 'BlockMsg', tx: 'TxMsg', ping: 'Ping', pong: 'Ping', reject: 'Reject',
  ...FILTER_PAYLOAD_TYPES,
};
export const COMMANDS = Object.keys(PAYLOAD_TYPES) as readonly Command[];

const UINT64_MAX = (1n << 64n) - 1n;

/** A bigint as protobufjs' unsigned Long (every bit kept); RangeError outside 0..2^64-1. */
export function toUint64(v: bigint): Long {
  if (typeof v !== 'bigint' || v < 0n || v > UINT64_MAX) throw new RangeError(`${String(v)} is not a uint64`);
  return Long.fromBits(Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0, true);
}

/** protobufjs' decoded uint64 (a Long, or a number when no Long library is loaded) as an exact bigint. */
export function fromUint64(v: Long | number | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

/** A random 64-bit nonce (version and ping). */
export const randomNonce64 = (): bigint => randomBytes(8).readBigUInt64LE();
export const unixSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));

const malformed = (command: string, why: string): never => {
  throw new ValidationError('malformed-message', `malformed ${command}: ${why}`, MALFORMED_BAN);
};

function hash32(command: string, h: Uint8Array | null | undefined, what: string): Uint8Array {
  if (!h || h.length !== 32) malformed(command, `${what} is not 32 bytes`);
  return Uint8Array.from(h!);
}

/** protobufjs hands out Buffers on Node; callers get plain Uint8Array views (no copy). */
function view(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * A payload that is exactly field 1 as `bytes` (tag 0x0a, a minimal varint length, the bytes),
 * as every pubchain node writes `block` and `tx` (encodeBytesFieldFrame): those bytes, a view
 * without protobuf's reader and message objects. Anything else (other fields, a repeated field,
 * a padded length) is null and goes through protobufjs, which then decides.
 */
export function soleBytesField(payload: Uint8Array): Uint8Array | null {
  if (payload.length < 2 || payload[0] !== 0x0a) return null;
  let len = 0;
  let o = 1;
  for (let shift = 1; ; shift *= 128) {
    if (o >= payload.length || o > 5) return null;
    const b = payload[o++]!;
    len += (b & 0x7f) * shift;
    if (b < 0x80) { if (b === 0 && o > 2) return null; break; }
  }
  return o + len === payload.length ? new Uint8Array(payload.buffer, payload.byteOffset + o, len) : null;
}

function workToBytes(work: bigint): Uint8Array {
  const hex = work.toString(16);
  return Uint8Array.from(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
}

export function encodeMessage(m: Message): Uint8Array {
  switch (m.command) {
    case 'version': {
      const v = m.version;
      return pubchain.Version.encode({
        protocol: v.protocol, userAgent: v.userAgent, bestHeight: v.bestHeight, chainWork: workToBytes(v.work),
        genesis: v.genesis, listenPort: v.listenPort, nonce: toUint64(v.nonce), timestamp: toUint64(v.timestamp),
        services: toUint64(v.services ?? 0n),
      }).finish();
    }
    case 'verack': return pubchain.Verack.encode({}).finish();
    case 'getaddr': return pubchain.GetAddr.encode({}).finish();
    case 'addr': return pubchain.Addr.encode({ addresses: m.addresses.map((a) => ({ host: a.host, port: a.port, lastSeen: toUint64(a.lastSeen) })) }).finish();
    case 'getblocks': return pubchain.GetBlocks.encode({ locator: m.locator, stop: m.stop ?? new Uint8Array(0) }).finish();
    case 'getheaders': return pubchain.GetHeaders.encode({ locator: m.locator, stop: m.stop ?? new Uint8Array(0) }).finish();
    case 'headers': return pubchain.Headers.encode({ headers: m.headers.map(serializeHeader) }).finish();
    case 'inv': case 'getdata': case 'notfound':
      return pubchain.Inventory.encode({ items: m.items.map((i) => ({ type: i.kind === 'block' ? pubchain.InvType.INV_BLOCK : pubchain.InvType.INV_TX, hash: i.hash })) }).finish();
    case 'block': return pubchain.BlockMsg.encode({ block: m.block }).finish();
    case 'tx': return pubchain.TxMsg.encode({ tx: m.tx }).finish();
    case 'ping': case 'pong': return pubchain.Ping.encode({ nonce: toUint64(m.nonce) }).finish();
    case 'reject': return pubchain.Reject.encode({ command: m.rejected, code: m.code, reason: m.reason, hash: m.hash ?? new Uint8Array(0) }).finish();
    default: return encodeFilterMessage(m);
  }
}

/** Returns null for a command we do not know (ignored, as other nodes do). */
export function decodeMessage(command: string, payload: Uint8Array): Message | null {
  if (!(COMMANDS as readonly string[]).includes(command)) return null;
  try {
    return decodeKnown(command as Command, payload);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    // protobufjs throws plain errors on truncated or mistyped fields.
    return malformed(command, (err as Error).message);
  }
}

function decodeKnown(command: Command, payload: Uint8Array): Message {
  switch (command) {
    case 'version': {
      const v = pubchain.Version.decode(payload);
      if (v.userAgent.length > MAX_USER_AGENT) malformed(command, 'user agent too long');
      if (v.chainWork.length > 32) malformed(command, 'chain work above 256 bits');
      if (v.listenPort > 65535) malformed(command, 'listen port out of range');
      const genesis = hash32(command, v.genesis, 'genesis hash');
      const work = v.chainWork.length ? BigInt(`0x${Buffer.from(v.chainWork).toString('hex')}`) : 0n;
      return { command, version: { protocol: v.protocol, userAgent: v.userAgent, bestHeight: v.bestHeight, work, genesis, listenPort: v.listenPort, nonce: fromUint64(v.nonce), timestamp: fromUint64(v.timestamp), services: fromUint64(v.services) } };
    }
    case 'verack': pubchain.Verack.decode(payload); return { command };
    case 'getaddr': pubchain.GetAddr.decode(payload); return { command };
    case 'addr': {
      const a = pubchain.Addr.decode(payload);
      if (a.addresses.length > MAX_ADDRS) malformed(command, `${a.addresses.length} addresses (max ${MAX_ADDRS})`);
      return {
        command,
        addresses: a.addresses.map((x) => {
          const host = x.host ?? '';
          const port = x.port ?? 0;
          if (host.length === 0 || host.length > MAX_HOST || port === 0 || port > 65535) malformed(command, 'bad address entry');
          return { host, port, lastSeen: fromUint64(x.lastSeen) };
        }),
      };
    }
    case 'getblocks': case 'getheaders': {
      const g = (command === 'getblocks' ? pubchain.GetBlocks : pubchain.GetHeaders).decode(payload);
      if (g.locator.length > MAX_LOCATOR_HASHES) malformed(command, `locator of ${g.locator.length} hashes (max ${MAX_LOCATOR_HASHES})`);
      const locator = g.locator.map((h) => hash32(command, h, 'locator hash'));
      const stop = g.stop.length === 0 ? null : hash32(command, g.stop, 'stop hash');
      return { command, locator, stop };
    }
    case 'headers': {
      const h = pubchain.Headers.decode(payload);
      if (h.headers.length > MAX_HEADERS) malformed(command, `${h.headers.length} headers (max ${MAX_HEADERS})`);
      return {
        command,
        headers: h.headers.map((b) => {
          if (b.length !== HEADER_SIZE) malformed(command, `a header of ${b.length} bytes (not ${HEADER_SIZE})`);
          return parseHeader(view(b));
        }),
      };
    }
    case 'inv': case 'getdata': case 'notfound': {
      const inv = pubchain.Inventory.decode(payload);
      if (inv.items.length > MAX_INV_ITEMS) malformed(command, `${inv.items.length} items (max ${MAX_INV_ITEMS})`);
      const items = inv.items.map((i) => {
        if (i.type !== pubchain.InvType.INV_BLOCK && i.type !== pubchain.InvType.INV_TX) malformed(command, `unknown item type ${i.type}`);
        return { kind: (i.type === pubchain.InvType.INV_BLOCK ? 'block' : 'tx') as InvKind, hash: hash32(command, i.hash, 'item hash') };
      });
      return { command, items };
    }
    case 'block': {
      const block = soleBytesField(payload) ?? view(pubchain.BlockMsg.decode(payload).block);
      if (block.length === 0) malformed(command, 'empty block');
      return { command, block };
    }
    case 'tx': {
      const tx = soleBytesField(payload) ?? view(pubchain.TxMsg.decode(payload).tx);
      if (tx.length === 0) malformed(command, 'empty transaction');
      return { command, tx };
    }
    case 'ping': case 'pong': return { command, nonce: fromUint64(pubchain.Ping.decode(payload).nonce) };
    case 'reject': {
      const r = pubchain.Reject.decode(payload);
      if (r.command.length > 12 || r.code.length > 64 || r.reason.length > 512) malformed(command, 'fields too long');
      return { command, rejected: r.command, code: r.code, reason: r.reason, hash: r.hash.length === 32 ? Uint8Array.from(r.hash) : null };
    }
    default: return decodeFilterMessage(command as FilterCommand, payload);
  }
}
