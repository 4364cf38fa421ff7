import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type Kafka from 'node-rdkafka';
import { AckTracker } from '../../src/storm/ack-tracker.js';

const fakeProducer = () => new EventEmitter() as unknown as Kafka.Producer & EventEmitter;

test('all: counts successes and failures from reports, records latency', () => {
  const t = new AckTracker('all');
  const p = fakeProducer();
  t.attach(p);
  for (let i = 0; i < 10; i++) t.sentOne(100);
  for (let i = 0; i < 7; i++) p.emit('delivery-report', null, { size: 100, timestamp: Date.now() - 5 });
  p.emit('delivery-report', { message: 'Local: Message timed out' }, { size: 100 });
  assert.equal(t.inFlight(), 2);
  const d = t.takeDelta();
  assert.deepEqual(d, { acked: 7, bytes: 700, failedTotal: 1, failed: { 'Local: Message timed out': 1 } });
  assert.equal(t.histogram?.totalCount, 7);
  assert.ok((t.histogram?.maxValue ?? 0) >= 5);
  assert.equal(t.unresolved(), 2);
});

test('errors: live count is a lower bound from statistics matched by timestamp; exact after a good flush', () => {
  const t = new AckTracker('errors');
  const p = fakeProducer();
  t.attach(p);
  for (let i = 0; i < 100; i++) t.sentOne(50);
  t.mark();
  const tsAfter100 = Number(process.hrtime.bigint() / 1000n);
  for (let i = 0; i < 100; i++) t.sentOne(50);
  t.mark();
  // statistics taken when 100 had been sent, 30 of them still queued: at least 70 acknowledged
  p.emit('event.stats', { message: JSON.stringify({ ts: tsAfter100, msg_cnt: 30 }) });
  assert.equal(t.takeDelta().acked, 70);
  p.emit('delivery-report', { message: 'Broker: Not enough in-sync replicas' }, {});
  t.settle(true);
  const d = t.takeDelta();
  assert.equal(d.acked, 199 - 70);
  assert.equal(d.failedTotal, 1);
  assert.equal(t.unresolved(), 0);
  assert.equal(t.histogram, null);
});

test('errors: a failed flush leaves the unknown as unresolved, never as acknowledged', () => {
  const t = new AckTracker('errors');
  t.attach(fakeProducer());
  for (let i = 0; i < 10; i++) t.sentOne(1);
  t.settle(false);
  assert.equal(t.takeDelta().acked, 0);
  assert.equal(t.unresolved(), 10);
});
