// The surrounded node: node 0 keeps one honest peer (a node it dials) while
// several junk peers send it invalid blocks and broken frames. It must learn the
// honest chain through the one honest link and drop every junk peer. Junk peers
// connect from the controller: from their own 127.x addresses on loopback
// (local: disconnected, never banned), from the controller's address in
// namespaces (banned; the honest link is a --connect peer, never banned).
import { Rng } from '../../test/reliability/rng.js';
import { makeUnit, type UnitKind } from '../../test/reliability/fuzzFrames.js';
import { loopbackAddress, WirePeer } from '../../test/reliability/wirePeer.js';
import { COIN_KEY, waitConverged, type Fleet } from './fleet.js';
import { mineOn } from './scenarios.js';

const JUNK: UnitKind[] = ['block-bad-pow', 'block-bad-rule', 'block-mutated', 'garbage-payload', 'bad-checksum', 'unknown-command', 'random-bytes'];
/** Bounds on each junk peer: units sent, and time. */
const MAX_UNITS = 200;
const JUNK_MS = 20_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SurroundedResult {
  junkPeers: number;
  /** Junk peers the node disconnected. */
  junkDropped: number;
  junkUnits: number;
  /** The node reached the honest tip. */
  learned: boolean;
  learnMs: number | null;
}

/** One junk peer: handshakes, then sends junk until the node drops it (or the bounds run out). */
async function junkPeer(f: Fleet, k: number, seed: number, loopback: boolean): Promise<{ dropped: boolean; units: number }> {
  const target = f.nodes[0]!;
  let peer: WirePeer;
  try {
    peer = await WirePeer.connect(target.def.port, loopback ? loopbackAddress(5000 + k) : undefined, 10_000, target.host);
  } catch {
    return { dropped: true, units: 0 }; // refused: an earlier junk peer from this address was banned
  }
  const ctx = { rng: new Rng(seed * 1000 + k), chain: f.chain, key: COIN_KEY };
  let units = 0;
  try {
    await peer.handshake(f.chain[0]!.hash).catch(() => undefined);
    const end = Date.now() + JUNK_MS;
    while (!peer.closed && units < MAX_UNITS && Date.now() < end) {
      for (const fr of makeUnit(ctx.rng.pick(JUNK), ctx).frames) peer.write(fr);
      units++;
      await sleep(20);
    }
    return { dropped: await peer.waitClosed(10_000), units };
  } finally {
    peer.close();
  }
}

export async function surrounded(f: Fleet, junkPeers: number, seed: number, loopback: boolean, timeoutMs: number): Promise<SurroundedResult> {
  const target = f.nodes[0]!;
  const link = f.links.find((l) => l.a === 0);
  if (!link) throw new Error('simnet: surrounded needs a link node 0 dials');
  const honest = f.nodes[link.b]!;
  const mine = f.links.filter((l) => l.a === 0 || l.b === 0);
  for (const l of mine) l.setCut(true);
  await sleep(300);
  // The honest peer moves ahead while node 0 is cut off, so node 0 can only learn it over the link.
  let tip = '';
  for (let i = 0; i < 3; i++) tip = await mineOn(f, honest);
  const junk = Array.from({ length: junkPeers }, (_, k) => junkPeer(f, k, seed, loopback));
  await sleep(500);
  link.setCut(false);
  const learnMs = await waitConverged([target, honest], tip, timeoutMs);
  if (learnMs === null && process.env.SIMNET_DEBUG) {
    console.error(`simnet: node 0 at ${target.height} ${target.tip}, honest at ${honest.height} ${tip}; node 0 peers ${JSON.stringify((await target.rpc<Array<{ addr: string; inbound: boolean }>>('getpeerinfo')).map((p) => `${p.inbound ? 'in' : 'out'}:${p.addr}`))}`);
  }
  const results = await Promise.all(junk);
  for (const l of mine) l.setCut(false);
  return {
    junkPeers,
    junkDropped: results.filter((r) => r.dropped).length,
    junkUnits: results.reduce((s, r) => s + r.units, 0),
    learned: learnMs !== null,
    learnMs,
  };
}
