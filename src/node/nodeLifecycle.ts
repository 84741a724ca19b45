// What every kind of node process does around its node (startnode, and
// startnode --spv): signals caught from the start, the RPC port handed over
// once the node is up, and a clean shutdown on SIGINT/SIGTERM, on `stop`, or
// on a fatal failure, bounded in time.
import { EV } from './logEvents.js';
import type { Logger } from './logger.js';
import type { BoundPorts } from './startupPorts.js';
import { StorageError } from '../storage/errors.js';

/** The one fatal line for a write that failed: a full disk or a damaged file already says what to do. */
export function logStorageFailure(log: Logger, err: Error, otherwise: string): void {
  const named = err instanceof StorageError && (err.code === 'disk-full' || err.code === 'db-corrupt');
  log.fatal({ err }, named ? err.message : otherwise);
}

/** Bounds a shutdown that hangs. */
const SHUTDOWN_LIMIT_MS = 8000;

export interface SignalTrap {
  /** The signal that arrived before a handler was set, if any. */
  early(): string | null;
  handle(fn: (signal: string) => void): void;
}

/**
 * Catches SIGINT/SIGTERM from now on: one that arrives while the node is still
 * starting is acted on as soon as it is up, instead of killing it half-open.
 */
export function trapSignals(): SignalTrap {
  let early: string | null = null;
  let onSignal = (signal: string): void => { early ??= signal; };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  return { early: () => early, handle: (fn) => { onSignal = fn; } };
}

export interface LifecycleOptions {
  log: Logger;
  signals: SignalTrap;
  ports: BoundPorts;
  /** Stops the node itself (after the RPC server); the last step. */
  stopNode(): Promise<void>;
  /** Registers the node's fatal-failure hook: the callback logs nothing itself and stops the process with exit code 1. */
  onFatal?(stop: (reason: string) => void): void;
  /**
   * Runs once the node is up, after the RPC port is released (the RPC server
   * starts here); its returned function runs first on shutdown. A rejection
   * stops the node and becomes runUntilStopped's rejection.
   */
  onStarted?(requestStop: () => void): Promise<(() => Promise<void>) | void>;
}

/** Resolves once the node has stopped (cleanly, or with process.exitCode 1). */
export async function runUntilStopped(o: LifecycleOptions): Promise<void> {
  const { log, ports } = o;
  // Last line of defence: every handler catches its own errors, but a missed
  // promise must cost a log line, not the node (and with it every peer's session).
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection (a bug: please report it)'));
  let cleanup: (() => Promise<void>) | void = undefined;
  let startupError: unknown = null;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      setTimeout(() => { log.error('shutdown took too long; exiting'); process.exit(1); }, SHUTDOWN_LIMIT_MS).unref();
      (async () => {
        if (cleanup) await cleanup().catch((err: unknown) => log.error({ err }, 'error while stopping the RPC server'));
        await ports.releaseRpc();
        await o.stopNode();
      })().then(() => { log.info({ event: EV.stoppedCleanly }, 'stopped cleanly'); resolve(); }, (err: unknown) => { log.error({ err }, 'error while stopping'); process.exitCode = 1; resolve(); });
    };
    o.signals.handle(stop);
    o.onFatal?.((reason) => { process.exitCode = 1; stop(reason); });
    const early = o.signals.early();
    if (early) { stop(early); return; }
    if (o.onStarted) {
      ports.releaseRpc().then(() => o.onStarted!(() => stop('rpc stop'))).then((c) => { cleanup = c; }, (err: unknown) => {
        startupError = err;
        stop('startup failure');
      });
    }
  });
  if (startupError) throw startupError;
}
