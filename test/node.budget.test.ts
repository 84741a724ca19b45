// The inbound work budget: a peer over its share, or any peer while the node
// is over the global share, stops being read until its work drains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InboundBudget, messageWeight } from '../src/node/inboundBudget.js';

class Reader {
  reading = true;
  pauseReading(): void { this.reading = false; }
  resumeReading(): void { this.reading = true; }
}

test('a peer over its share is paused until it is back to half of it; releasing twice counts once', () => {
  const budget = new InboundBudget<Reader>(100, 1000);
  const p = new Reader();
  const a = budget.take(p, 60);
  const b = budget.take(p, 50);
  assert.equal(p.reading, false);
  b();
  b();
  assert.equal(budget.pendingBytes, 60);
  assert.equal(p.reading, false, '60 held is above half of 100');
  a();
  assert.equal(p.reading, true);
  assert.equal(budget.pendingBytes, 0);
});

test('over the global share every new sender is paused; they resume when the total halves', () => {
  const budget = new InboundBudget<Reader>(1000, 100);
  const [p, q] = [new Reader(), new Reader()];
  const a = budget.take(p, 90);
  const b = budget.take(q, 20);
  assert.equal(q.reading, false, 'the total of 110 is over 100');
  assert.equal(p.reading, true, 'p was under the bound when it sent');
  a();
  assert.equal(q.reading, true, '20 left in total');
  b();
  const gone = new Reader();
  budget.take(gone, 200);
  budget.forget(gone);
  assert.equal(budget.isPaused(gone), false);
});

test('message weights follow what a message costs to hold or answer', () => {
  assert.equal(messageWeight({ command: 'block', block: new Uint8Array(1000) }), 8000);
  assert.equal(messageWeight({ command: 'getdata', items: Array.from({ length: 50_000 }, () => ({ kind: 'block' as const, hash: new Uint8Array(32) })) }), 50_000 * 256);
  assert.ok(messageWeight({ command: 'ping', nonce: 1n }) > 0);
});
