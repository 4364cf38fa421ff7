import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addValue, mergeMoments, noMoments, stdOf } from '../../../src/measure/moments.js';

test('merged moments give the standard deviation of the whole series', () => {
  const a = noMoments();
  const b = noMoments();
  for (const x of [1, 2]) addValue(a, x);
  for (const x of [3, 4]) addValue(b, x);
  mergeMoments(a, b);
  assert.equal(a[0], 4);
  assert.ok(Math.abs((stdOf(a) ?? 0) - Math.sqrt(1.25)) < 1e-12);
  assert.equal(stdOf(noMoments()), null);
});
