import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OffsetRanges } from '../../../src/readers/offset-ranges.js';

test('runs that go on count new; a run read again counts nothing new', () => {
  const r = new OffsetRanges();
  assert.equal(r.add(0, 0, 99), 100);
  assert.equal(r.add(0, 100, 149), 50);
  assert.equal(r.add(0, 120, 179), 30, 'a rebalance restarts at 120: 30 of its 60 are new');
  assert.equal(r.add(1, 10, 19), 10);
  assert.equal(r.missing(0, 0, 200), 20);
  assert.equal(r.missing(1, 0, 20), 10);
  assert.equal(r.outside(1, 15, 20), 5);
});

test('any order of runs: new offsets are the union, missing its complement', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 30 })), { maxLength: 40 }),
      (runs) => {
        const r = new OffsetRanges();
        const seen = new Set<number>();
        let fresh = 0;
        for (const [first, n] of runs) {
          fresh += r.add(3, first, first + n);
          for (let o = first; o <= first + n; o++) seen.add(o);
        }
        assert.equal(fresh, seen.size);
        const inRange = [...seen].filter((o) => o >= 50 && o < 150).length;
        assert.equal(r.missing(3, 50, 150), 100 - inRange);
        assert.equal(r.outside(3, 50, 150), seen.size - inRange);
      },
    ),
  );
});
