// Ban controls in bitcoind's shapes: setban, listbanned, clearbanned.
import { formatSubnet, parseSubnet } from '../../p2p/subnet.js';
import { invalidParameter, MISC_ERROR, RpcError, typeError } from '../rpcErrors.js';
import type { RpcMethod } from '../types.js';
import { isMissing, optBool, str } from './params.js';

/** bitcoind's RPC_CLIENT_NODE_ALREADY_ADDED and RPC_CLIENT_INVALID_IP_OR_SUBNET. */
const ALREADY_BANNED = -23;
const INVALID_SUBNET = -30;
/** bitcoind refuses a ban time beyond this (and so do we). */
const MAX_BAN_SECONDS = 100 * 365 * 24 * 3600;

const seconds = (ms: number): number => Math.floor(ms / 1000);

export const banMethods: RpcMethod[] = [
  {
    name: 'setban',
    params: [{ name: 'subnet' }, { name: 'command' }, { name: 'bantime', optional: true }, { name: 'absolute', optional: true }],
    description: 'Adds ("add") or removes ("remove") an IP or subnet (1.2.3.4, 1.2.3.0/24, ::1/128) on the ban list. bantime: seconds (0 or missing: 24 hours), or with absolute=true a Unix time the ban ends. Connected peers it covers are dropped.',
    run: (ctx, [subnetArg, commandArg, bantime, absoluteArg]) => {
      const command = str(commandArg, 'command');
      if (command !== 'add' && command !== 'remove') throw new RpcError(MISC_ERROR, `command must be "add" or "remove", not "${command.slice(0, 50)}"`);
      const subnet = parseSubnet(str(subnetArg, 'subnet'));
      if (!subnet) throw new RpcError(INVALID_SUBNET, 'Error: Invalid IP/Subnet');
      const bans = ctx.network.manager.bans;
      if (command === 'remove') {
        if (!bans.remove(subnet)) throw new RpcError(INVALID_SUBNET, 'Error: Unban failed. Requested address/subnet was not previously manually banned.');
        return null;
      }
      const absolute = optBool(absoluteArg, 'absolute', false);
      let time = 0;
      if (!isMissing(bantime)) {
        if (typeof bantime !== 'number' || !Number.isInteger(bantime) || bantime < 0) throw typeError('bantime must be a whole number of seconds (or a Unix time with absolute)');
        time = bantime;
      }
      const now = Date.now();
      const untilMs = absolute ? time * 1000 : now + (time === 0 ? bans.defaultDurationMs : Math.min(time, MAX_BAN_SECONDS) * 1000);
      if (absolute && untilMs <= now) throw invalidParameter('Error: Absolute timestamp is in the past');
      if (!bans.add(subnet, untilMs, 'manually added')) throw new RpcError(ALREADY_BANNED, 'Error: IP/Subnet already banned');
      ctx.network.manager.dropBanned();
      return null;
    },
  },
  {
    name: 'listbanned',
    params: [],
    description: 'Banned IPs and subnets: address, ban_created, banned_until, ban_duration and time_remaining (Unix times and seconds), as bitcoind lists them.',
    run: (ctx) => {
      const now = Date.now();
      return ctx.network.manager.bans.list().map((e) => ({
        address: formatSubnet(e.subnet),
        ban_created: seconds(e.createdMs),
        banned_until: seconds(e.untilMs),
        ban_duration: seconds(e.untilMs) - seconds(e.createdMs),
        time_remaining: Math.max(0, seconds(e.untilMs) - seconds(now)),
      }));
    },
  },
  {
    name: 'clearbanned',
    params: [],
    description: 'Empties the ban list.',
    run: (ctx) => {
      ctx.network.manager.bans.clear();
      return null;
    },
  },
];
