// Peers: who we are connected to, and asking for more.
import { parseHostPort, PROTOCOL_VERSION, USER_AGENT } from '../../node/network.js';
import { invalidParams } from '../rpcErrors.js';
import type { RpcMethod } from '../types.js';
import { str } from './params.js';

/** "/pubchain:1.2.3/" → 10203, bitcoind's numeric form of a version. */
export function numericVersion(userAgent: string): number {
  const m = /:(\d+)\.(\d+)\.(\d+)/.exec(userAgent);
  return m ? Number(m[1]) * 10_000 + Number(m[2]) * 100 + Number(m[3]) : 0;
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
    description: 'HOST:PORT with "add" (keep connected, reconnecting), "onetry" (one attempt) or "remove" (stop keeping it connected and drop it).',
    run: (ctx, [node, command]) => {
      const cmd = str(command, 'command');
      if (cmd !== 'add' && cmd !== 'onetry' && cmd !== 'remove') throw invalidParams(`command must be "add", "onetry" or "remove", not "${cmd}"`);
      let target: { host: string; port: number };
      try { target = parseHostPort(str(node, 'node')); } catch (e) { throw invalidParams((e as Error).message); }
      if (cmd === 'add') ctx.network.manager.connect(target.host, target.port);
      else if (cmd === 'onetry') ctx.network.manager.connectOnce(target.host, target.port);
      else if (!ctx.network.manager.disconnect(target.host, target.port)) throw invalidParams(`${target.host}:${target.port} was not added`);
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
