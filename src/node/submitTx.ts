// `send` without --mine: hand signed transactions to a running node in `tx`
// frames, as the tutorial's wallet does with its central node. A ping after the
// transactions comes back only once the node has handled them (frames are
// processed in order), so a `reject` for any of them arrives before the pong.
import { connect } from 'node:net';
import { bytesEqual, bytesKey, hashToHex } from '../core/bytes.js';
import { PubchainError } from '../core/errors.js';
import type { NetworkParams } from '../core/params.js';
import { serializeTx, Tx, txid } from '../core/tx.js';
import { randomNonce64, unixSeconds, type Message } from '../p2p/messages.js';
import { Peer } from '../p2p/peer.js';
import { silentLogger } from '../p2p/logger.js';
import { PROTOCOL_VERSION, USER_AGENT } from './network.js';

export interface SubmitOptions {
  host: string;
  port: number;
  params: NetworkParams;
  genesisHash: Uint8Array;
  bestHeight: number;
  txs: Tx[];
  timeoutMs?: number;
}

export async function submitTransactions(o: SubmitOptions): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const socket = connect({ host: o.host, port: o.port });
  const nonce = randomNonce64();
  const ids = new Set(o.txs.map((t) => bytesKey(txid(t))));
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (msg: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Reject before closing: closing emits 'close', whose handler must not replace the real reason.
      reject(new PubchainError('submit-failed', msg));
      peer?.removeAllListeners('close');
      peer?.close('done');
    };
    const timer = setTimeout(() => fail(`the node at ${o.host}:${o.port} did not confirm the transaction within ${timeoutMs / 1000} s`), timeoutMs);
    let peer: Peer | null = null;
    socket.once('error', (err) => fail(`cannot reach a node at ${o.host}:${o.port} (${err.message}); start it with \`pubchain startnode\` or pass --connect HOST:PORT`));
    socket.once('connect', () => {
      peer = new Peer({
        socket, inbound: false, params: o.params, log: silentLogger, handshakeTimeoutMs: timeoutMs,
        localVersion: () => ({ protocol: PROTOCOL_VERSION, userAgent: USER_AGENT, bestHeight: o.bestHeight, work: 0n, genesis: o.genesisHash, listenPort: 0, nonce, timestamp: unixSeconds() }),
        checkVersion: (v) => (bytesEqual(v.genesis, o.genesisHash) ? null : `the node at ${o.host}:${o.port} is on another chain (genesis ${hashToHex(v.genesis)})`),
      });
      peer.on('close', (reason: string) => fail(`the node at ${o.host}:${o.port} closed the connection: ${reason}`));
      peer.on('ready', () => {
        for (const tx of o.txs) peer!.send({ command: 'tx', tx: serializeTx(tx) });
        peer!.send({ command: 'ping', nonce });
      });
      peer.on('message', (m: Message) => {
        if (m.command === 'reject' && m.hash && ids.has(bytesKey(m.hash))) fail(`the node rejected transaction ${hashToHex(m.hash)}: ${m.reason}`);
      });
      peer.on('pong', (n: bigint) => {
        if (n !== nonce || settled) return;
        settled = true;
        clearTimeout(timer);
        peer!.removeAllListeners('close');
        peer!.close('done');
        resolve();
      });
    });
  });
}
