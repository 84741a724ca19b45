// Peers: who we are connected to, and asking for more.
import { parseHostPort, PROTOCOL_VERSION, USER_AGENT } from '../../node/network.js';
import { CLIENT_NODE_ALREADY_ADDED, CLIENT_NODE_NOT_ADDED, invalidParameter, RpcError } from '../rpcErrors.js';
import type { RpcMethod } from '../types.js';
import { str } from './params.js';

/** "/pubchain:1.2.3/" → 10203, bitcoind's numeric form of a version. */
export function numericVersion(userAgent: string): number {
  const m = /:(\d+)\.(\d+)\.(\d+)/.exec(userAgent);
  return m ? Number(m[1]) * 10_000 + Number(m[2]) * 100 + Number(m[3]) : 0;
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** A peer's socket address against a name given to addnode ("localhost" is 127.0.0.1). */
function sameHost(peerHost: string, given: string): boolean {
  const plain = (h: string): string => h.replace(/^::ffff:/, '').toLowerCase();
  return plain(peerHost) === plain(given) || (LOCAL_NAMES.has(peerHost) && LOCAL_NAMES.has(given.toLowerCase()));
}

export const peerMethods: RpcMethod[] = [
  {
    name: 'getpeerinfo',
    params: [],
    description: 'Connected peers that finished the handshake.',
    run: (ctx) => ctx.network.manager.peers().map((p) => {
      const v = p.remoteVersion;
      return {
        id: ctx.peerNumber(p),
        addr: p.id,
        inbound: p.inbound,
        startingheight: v?.bestHeight ?? 0,
        version: v?.protocol ?? 0,
        subver: v?.userAgent ?? '',
        conntime: Math.floor(p.connectedAt / 1000),
        pingtime: p.lastPingMs === null ? null : p.lastPingMs / 1000,
        bytessent: p.bytesOut,
        bytesrecv: p.bytesIn,
        banscore: p.banScore,
      };
    }),
  },
  {
    name: 'getconnectioncount',
    params: [],
    description: 'Number of peers that finished the handshake (the ones getpeerinfo lists).',
    run: (ctx) => ctx.network.manager.peers().length,
  },
  {
    name: 'addnode',
    params: [{ name: 'node' }, { name: 'command' }],
    description: 'HOST:PORT with "add" (keep connected, reconnecting), "onetry" (one attempt) or "remove" (stop keeping it connected and drop it). Adding a peer that is added or connected already is -23; removing one that was not added, -24.',
    run: (ctx, [node, command]) => {
      const text = str(node, 'node');
      const cmd = str(command, 'command');
      if (cmd !== 'add' && cmd !== 'onetry' && cmd !== 'remove') throw invalidParameter(`command must be "add", "onetry" or "remove", not "${cmd.slice(0, 40)}"`);
      let target: { host: string; port: number };
      try { target = parseHostPort(text); } catch (e) { throw invalidParameter((e as Error).message); }
      const m = ctx.network.manager;
      if (cmd === 'remove') {
        if (!m.disconnect(target.host, target.port)) throw new RpcError(CLIENT_NODE_NOT_ADDED, 'Error: Node has not been added.');
        return null;
      }
      const alreadyAdded = new RpcError(CLIENT_NODE_ALREADY_ADDED, 'Error: Node already added');
      if (m.peers().some((p) => !p.inbound && sameHost(p.host, target.host) && p.port === target.port)) throw alreadyAdded;
      const dialled = cmd === 'add' ? m.connect(target.host, target.port) : m.connectOnce(target.host, target.port);
      if (!dialled) throw alreadyAdded;
      return null;
    },
  },
  {
    name: 'getnetworkinfo',
    params: [],
    description: 'Our version, user agent, protocol version, connections and listening address.',
    run: (ctx) => ({
      version: numericVersion(USER_AGENT),
      subversion: USER_AGENT,
      protocolversion: PROTOCOL_VERSION,
      connections: ctx.network.manager.peers().length,
      localaddresses: [{ address: ctx.p2pBind, port: ctx.network.port }],
    }),
  },
];
