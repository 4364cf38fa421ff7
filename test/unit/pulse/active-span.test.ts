import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActiveSpan } from '../../../src/pulse/primary.js';

test('rates are over the milliseconds tweets were consumed: not start-up and group join, not the idle wait', () => {
  const a = new ActiveSpan(10_000);
  // Two children: one consumed from 13.2 s to 14.9 s, the other from 13.5 s to 15.25 s.
  a.consumed(13_200, 14_000);
  a.consumed(13_500, 14_100);
  a.consumed(14_050, 14_900);
  a.consumed(14_200, 15_250);
  assert.deepEqual(a.span(), { joinSec: 3.2, activeSec: 2.05 });
});

test('idle since the totals last changed; a retried write is not idle; nothing consumed has no span', () => {
  const a = new ActiveSpan(0);
  a.observe(1000, 500, 0);
  a.observe(2000, 500, 0);
  a.observe(3000, 500, 0);
  assert.equal(a.idleSec(3000), 2);
  a.observe(4000, 500, 1);
  assert.equal(a.idleSec(4000), 0);
  assert.equal(new ActiveSpan(0).span(), undefined);
});
