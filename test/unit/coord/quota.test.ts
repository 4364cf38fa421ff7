import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaseChunk, RUN_KEY_TTL_SEC, runKeys } from '../../../src/coord/quota.js';

test("lease chunks are a fiftieth of a second of a child's share of the rate now, at most a batch", () => {
  assert.equal(leaseChunk(8000, Number.POSITIVE_INFINITY, 2), 8000);
  assert.equal(leaseChunk(8000, 20_000, 2), 200);
  assert.equal(leaseChunk(8000, 0, 2), 1);
  assert.equal(leaseChunk(8000, 10_000_000, 2), 8000);
  assert.equal(leaseChunk(8000, 5, 2), 1);
});

test('every key of a run shares its prefix, and they expire after a day', () => {
  const k = runKeys('r1');
  for (const v of [k.issued, k.start, k.counters, k.leases, k.lastLease]) assert.ok(v.startsWith(k.prefix), v);
  assert.equal(RUN_KEY_TTL_SEC, 86_400);
});
