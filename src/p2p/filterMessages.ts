// The BIP157 messages (proto/pubchain.proto): requests for compact block
// filters, filter hashes and filter-header checkpoints, and their answers.
// messages.ts routes these commands here; decoding checks every hash size and
// list length against BIP157's limits and fails only with a ban-scored error.
import { ValidationError } from '../core/errors.js';
import { pubchain } from '../generated/proto.js';

/** BIP157's limits: filters per getcfilters, filter hashes per getcfheaders, and the checkpoint interval. */
export const MAX_GETCFILTERS = 1000;
export const MAX_GETCFHEADERS = 2000;
export const CFCHECKPT_INTERVAL = 1000;
/** Checkpoints in one cfcheckpt: a chain of 100 million blocks. */
export const MAX_CFCHECKPT_HEADERS = 100_000;
/** The basic filter: the only type there is. */
export const BASIC_FILTER = 0;
const MALFORMED_BAN = 20;

export type FilterMessage =
  | { command: 'getcfilters' | 'getcfheaders'; filterType: number; startHeight: number; stopHash: Uint8Array }
  | { command: 'cfilter'; filterType: number; blockHash: Uint8Array; filter: Uint8Array }
  | { command: 'cfheaders'; filterType: number; stopHash: Uint8Array; previousHeader: Uint8Array; filterHashes: Uint8Array[] }
  | { command: 'getcfcheckpt'; filterType: number; stopHash: Uint8Array }
  | { command: 'cfcheckpt'; filterType: number; stopHash: Uint8Array; headers: Uint8Array[] };

export type FilterCommand = FilterMessage['command'];
export const FILTER_PAYLOAD_TYPES: Readonly<Record<FilterCommand, string>> = {
  getcfilters: 'GetCFilters', cfilter: 'CFilter', getcfheaders: 'GetCFHeaders', cfheaders: 'CFHeaders', getcfcheckpt: 'GetCFCheckpt', cfcheckpt: 'CFCheckpt',
};

const malformed = (command: string, why: string): never => {
  throw new ValidationError('malformed-message', `malformed ${command}: ${why}`, MALFORMED_BAN);
};

function hash32(command: string, h: Uint8Array, what: string): Uint8Array {
  if (h.length !== 32) malformed(command, `${what} is not 32 bytes`);
  return Uint8Array.from(h);
}

function hashList(command: string, list: Uint8Array[], max: number, what: string): Uint8Array[] {
  if (list.length > max) malformed(command, `${list.length} ${what}s (max ${max})`);
  return list.map((h) => hash32(command, h, what));
}

export function encodeFilterMessage(m: FilterMessage): Uint8Array {
  switch (m.command) {
    case 'getcfilters': return pubchain.GetCFilters.encode({ filterType: m.filterType, startHeight: m.startHeight, stopHash: m.stopHash }).finish();
    case 'getcfheaders': return pubchain.GetCFHeaders.encode({ filterType: m.filterType, startHeight: m.startHeight, stopHash: m.stopHash }).finish();
    case 'cfilter': return pubchain.CFilter.encode({ filterType: m.filterType, blockHash: m.blockHash, filter: m.filter }).finish();
    case 'cfheaders': return pubchain.CFHeaders.encode({ filterType: m.filterType, stopHash: m.stopHash, previousFilterHeader: m.previousHeader, filterHashes: m.filterHashes }).finish();
    case 'getcfcheckpt': return pubchain.GetCFCheckpt.encode({ filterType: m.filterType, stopHash: m.stopHash }).finish();
    case 'cfcheckpt': return pubchain.CFCheckpt.encode({ filterType: m.filterType, stopHash: m.stopHash, filterHeaders: m.headers }).finish();
  }
}

/** Protobufjs' own errors are turned into 'malformed-message' by the caller (messages.ts). */
export function decodeFilterMessage(command: FilterCommand, payload: Uint8Array): FilterMessage {
  switch (command) {
    case 'getcfilters': case 'getcfheaders': {
      const g = command === 'getcfilters' ? pubchain.GetCFilters.decode(payload) : pubchain.GetCFHeaders.decode(payload);
      return { command, filterType: g.filterType, startHeight: g.startHeight, stopHash: hash32(command, g.stopHash, 'stop hash') };
    }
    case 'cfilter': {
      const f = pubchain.CFilter.decode(payload);
      if (f.filter.length === 0) malformed(command, 'empty filter');
      return { command, filterType: f.filterType, blockHash: hash32(command, f.blockHash, 'block hash'), filter: Uint8Array.from(f.filter) };
    }
    case 'cfheaders': {
      const h = pubchain.CFHeaders.decode(payload);
      return {
        command, filterType: h.filterType, stopHash: hash32(command, h.stopHash, 'stop hash'),
        previousHeader: hash32(command, h.previousFilterHeader, 'previous filter header'),
        filterHashes: hashList(command, h.filterHashes, MAX_GETCFHEADERS, 'filter hash'),
      };
    }
    case 'getcfcheckpt': {
      const g = pubchain.GetCFCheckpt.decode(payload);
      return { command, filterType: g.filterType, stopHash: hash32(command, g.stopHash, 'stop hash') };
    }
    case 'cfcheckpt': {
      const c = pubchain.CFCheckpt.decode(payload);
      return { command, filterType: c.filterType, stopHash: hash32(command, c.stopHash, 'stop hash'), headers: hashList(command, c.filterHeaders, MAX_CFCHECKPT_HEADERS, 'filter header') };
    }
  }
}
