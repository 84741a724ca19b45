// The logging surface the p2p layer needs: pino's child loggers fit it, and a
// no-op default keeps the layer usable in tests without a logger.
type LogFn = (obj: object | string, msg?: string) => void;

export interface P2pLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => undefined;
export const silentLogger: P2pLogger = { debug: noop, info: noop, warn: noop, error: noop };
