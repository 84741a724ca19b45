// Names of the p2p layer's log events: a stable `event` field on the record,
// beside the human text, so tests and tools wait on a name, not on wording.
// src/node/logEvents.ts gathers these with the node's own.
export const P2P_LOG_EVENTS = {
  peerConnected: 'peer-connected',
  peerLeft: 'peer-left',
  peerMisbehaved: 'peer-misbehaved',
} as const;
