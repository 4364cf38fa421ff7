import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActiveSpan } from '../../../src/pulse/primary.js';

test('rates are over the seconds tweets were consumed: not the group join, not the idle wait', () => {
  const a = new ActiveSpan(0);
  a.observe(1000, 0, 0); // joining the group
  a.observe(2000, 0, 0);
  a.observe(3000, 500, 0); // consuming from the tick before
  a.observe(4000, 1000, 0);
  a.observe(5000, 1000, 0); // idle
  a.observe(6000, 1000, 0);
  assert.equal(a.activeSec(), 2);
  assert.equal(a.idleSec(6000), 2);
});

test('a retried write is not idle; nothing consumed has no active span', () => {
  const a = new ActiveSpan(0);
  a.observe(1000, 0, 1);
  assert.equal(a.idleSec(1000), 0);
  assert.equal(a.activeSec(), undefined);
});
