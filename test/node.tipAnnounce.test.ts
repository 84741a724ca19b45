// Tip announcements: one inv per burst, never to the tip's sender, and none
// while the node is catching up (initial download), then the last tip once it
// has caught up, or once the held tip has not moved for the hold bound.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { InvItem } from '../src/p2p/messages.js';
import type { ProtocolPeer } from '../src/node/peerPort.js';
import { TipAnnouncer } from '../src/node/tipAnnounce.js';

function fakePeer(id: string): ProtocolPeer & { invs: InvItem[][] } {
  const invs: InvItem[][] = [];
  return { id, invs, sendInv: (items: InvItem[]) => { invs.push(items); } } as unknown as ProtocolPeer & { invs: InvItem[][] };
}

const hash = (n: number): Uint8Array => new Uint8Array(32).fill(n);

async function until(what: string, pred: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred(), what);
}

test('a burst of tips is one inv of the last, to every peer but its sender', async () => {
  const [a, b] = [fakePeer('a'), fakePeer('b')];
  const t = new TipAnnouncer(() => [a, b]);
  try {
    for (let i = 1; i <= 5; i++) t.schedule(hash(i), a);
    await until('announced', () => b.invs.length > 0);
    assert.deepEqual(b.invs, [[{ kind: 'block', hash: hash(5) }]]);
    assert.equal(a.invs.length, 0);
  } finally { t.close(); }
});

test('nothing is announced while catching up; the last tip is, once caught up', async () => {
  const [a, b] = [fakePeer('a'), fakePeer('b')];
  let catchingUp = true;
  const t = new TipAnnouncer(() => [a, b], () => catchingUp, 60_000);
  try {
    for (let i = 1; i <= 20; i++) {
      t.schedule(hash(i), a);
      await new Promise((r) => setTimeout(r, 10));
    }
    // Many announce delays have passed while catching up: still nothing sent.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(b.invs.length, 0);
    catchingUp = false;
    await until('announced once caught up', () => b.invs.length > 0);
    assert.deepEqual(b.invs, [[{ kind: 'block', hash: hash(20) }]]);
  } finally { t.close(); }
});

test('a held tip that stops moving is announced after the hold bound, even while still catching up', async () => {
  const b = fakePeer('b');
  const t = new TipAnnouncer(() => [b], () => true, 50);
  try {
    t.schedule(hash(1), null);
    await until('announced after the bound', () => b.invs.length > 0);
    assert.deepEqual(b.invs, [[{ kind: 'block', hash: hash(1) }]]);
  } finally { t.close(); }
});
