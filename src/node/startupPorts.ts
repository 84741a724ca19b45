// Every port `startnode` needs, bound before anything else starts: a port in
// use then fails start-up with one line naming the flag to change, and leaves
// nothing half-started (no database opened, no P2P log line). The P2P listener
// is handed to the node's PeerManager as it is; the RPC port is held until the
// node is up and released just before the RPC server binds it; the metrics
// server starts here for real.
import { PubchainError } from '../core/errors.js';
import { bindTcp, boundPort, ListenError, releaseP2pListeners, reserveP2pListener } from '../p2p/reservedListener.js';
import type { MetricsServer } from './metrics.js';

export interface Endpoint { bind: string; port: number }

export const DEFAULT_METRICS_BIND = '127.0.0.1';

export interface PortPlan {
  p2p: Endpoint;
  rpc?: Endpoint;
  metrics?: Endpoint;
}

export interface BoundPorts {
  p2pPort: number;
  /** The RPC port reserved (0 resolved to the port the system chose), or null without RPC. */
  rpcPort: number | null;
  metrics: MetricsServer | null;
  /** Frees the RPC port for the RPC server; call just before it binds. */
  releaseRpc(): Promise<void>;
  /** Frees everything not taken over yet (a start-up that failed later). */
  release(): Promise<void>;
}

const FLAGS = {
  P2P: { port: '--port (or NODE_ID)', bind: '--bind' },
  RPC: { port: '--rpc-port', bind: '--rpc-bind' },
  metrics: { port: '--metrics-port', bind: '--metrics-bind' },
} as const;

/** A failed listen as one line: the cause and the flag to change. Other errors pass through. */
export function listenFailure(err: unknown, what: keyof typeof FLAGS): unknown {
  if (!(err instanceof ListenError)) return err;
  const f = FLAGS[what];
  const where = `${err.host}:${err.port}`;
  switch (err.errno) {
    case 'EADDRINUSE': return new PubchainError('port-in-use', `${what} port ${err.port} is in use (${err.host}): choose another with ${f.port}`);
    case 'EACCES': return new PubchainError('listen-failed', `${what} port ${err.port} needs privileges (${err.host}): choose one above 1023 with ${f.port}`);
    case 'EADDRNOTAVAIL': return new PubchainError('listen-failed', `cannot listen for ${what} on ${err.host}: the address is not on this machine; choose another with ${f.bind}`);
    case 'ENOTFOUND': case 'EAI_AGAIN': return new PubchainError('listen-failed', `cannot listen for ${what} on ${err.host}: unknown host; choose another with ${f.bind}`);
    default: return new PubchainError('listen-failed', `cannot listen for ${what} on ${where} (${err.message.split('\n')[0]}): check ${f.port} and ${f.bind}`);
  }
}

export async function bindStartupPorts(plan: PortPlan): Promise<BoundPorts> {
  const undo: Array<() => Promise<void>> = [];
  const release = async (): Promise<void> => { for (const u of undo.splice(0).reverse()) await u().catch(() => undefined); };
  try {
    const p2pPort = await reserveP2pListener(plan.p2p.bind, plan.p2p.port).catch((e: unknown) => { throw listenFailure(e, 'P2P'); });
    undo.push(releaseP2pListeners);
    let rpcPort: number | null = null;
    let releaseRpc = async (): Promise<void> => undefined;
    if (plan.rpc) {
      const held = await bindTcp(plan.rpc.bind, plan.rpc.port).catch((e: unknown) => { throw listenFailure(e, 'RPC'); });
      rpcPort = boundPort(held);
      let open = true;
      releaseRpc = async () => { if (open) { open = false; await new Promise<void>((r) => held.close(() => r())); } };
      undo.push(releaseRpc);
    }
    let metrics: MetricsServer | null = null;
    if (plan.metrics) {
      const { startMetricsServer } = await import('./metrics.js');
      metrics = await startMetricsServer(plan.metrics).catch((e: unknown) => { throw listenFailure(e, 'metrics'); });
      undo.push(metrics.close);
    }
    return { p2pPort, rpcPort, metrics, releaseRpc, release };
  } catch (err) {
    await release();
    throw err;
  }
}
