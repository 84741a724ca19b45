// Ports bound before a node starts. `startnode` binds every port it needs
// (P2P, RPC, metrics) first, so a port in use fails before anything opens or
// logs; the P2P listener bound here is then claimed by PeerManager.listen,
// which therefore never races another process for the port. Connections that
// arrive before the claim wait (a bounded few) and are handed over with it.
import { createServer, type Server, type Socket } from 'node:net';

const EARLY_CONNECTIONS = 32;

interface Reservation { server: Server; early: Socket[]; onEarly: (s: Socket) => void }

const reserved = new Map<string, Reservation>();
const keyOf = (host: string, port: number): string => `${host}|${port}`;

/** Why a listen failed, for the one-line error that names the flag to change. */
export class ListenError extends Error {
  constructor(readonly errno: string, readonly host: string, readonly port: number, message: string) {
    super(message);
  }
}

/** Binds host:port (0: any free port) with a plain TCP server; rejects with a ListenError. */
export async function bindTcp(host: string, port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void => reject(new ListenError(err.code ?? 'unknown', host, port, err.message));
    server.once('error', fail);
    server.listen(port, host, () => { server.off('error', fail); resolve(); });
  });
  return server;
}

export const boundPort = (server: Server): number => (server.address() as { port: number }).port;

/** Binds the P2P listener now; PeerManager.listen(host, port) takes it over. Returns the port. */
export async function reserveP2pListener(host: string, port: number): Promise<number> {
  const server = await bindTcp(host, port);
  const early: Socket[] = [];
  const onEarly = (s: Socket): void => {
    if (early.length >= EARLY_CONNECTIONS) { s.destroy(); return; }
    s.on('error', () => undefined);
    early.push(s);
  };
  server.on('connection', onEarly);
  const bound = boundPort(server);
  reserved.set(keyOf(host, bound), { server, early, onEarly });
  return bound;
}

/** The reserved listener for host:port with the connections that arrived meanwhile, or null. */
export function claimP2pListener(host: string, port: number): { server: Server; early: Socket[] } | null {
  const r = reserved.get(keyOf(host, port));
  if (!r) return null;
  reserved.delete(keyOf(host, port));
  r.server.off('connection', r.onEarly);
  return { server: r.server, early: r.early.filter((s) => !s.destroyed) };
}

/** Closes reservations nobody claimed (a start-up that failed later). */
export async function releaseP2pListeners(): Promise<void> {
  const all = [...reserved.values()];
  reserved.clear();
  for (const r of all) {
    for (const s of r.early) s.destroy();
    await new Promise<void>((resolve) => r.server.close(() => resolve()));
  }
}
