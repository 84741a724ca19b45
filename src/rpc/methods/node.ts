// The node process itself.
import type { RpcBaseContext, RpcMethod } from '../types.js';

export const STOP_REPLY = 'pubchain stopping';

export const nodeMethods: RpcMethod<RpcBaseContext>[] = [
  {
    name: 'stop',
    params: [],
    description: 'Shuts the node down cleanly (the answer is sent first).',
    run: (ctx) => {
      // After this turn, so the reply is already on its way when shutdown begins.
      setImmediate(() => ctx.requestStop());
      return STOP_REPLY;
    },
  },
  {
    name: 'uptime',
    params: [],
    description: 'Seconds since the node started.',
    run: (ctx) => Math.max(0, Math.floor((Date.now() - ctx.startedAt) / 1000)),
  },
];
