/** The storm child's tally of what it handed over in an interval: counts per sentiment, volatile shares, reset. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HandedTally } from '../../../src/storm/child-ticker.js';

test('a tally adds batches per sentiment, keeps volatile shares, and starts again at each tick', () => {
  const tally = new HandedTally();
  tally.add(10, [5, 3, 2], 0.5);
  tally.add(2, [1, 1, 0], null);
  tally.add(7, null, null);
  assert.equal(tally.count, 19, 'records of other schemas count, without sentiments');
  assert.deepEqual(tally.mix, [6, 4, 2]);
  assert.equal(tally.shares[0], 1, 'one volatile batch');
  tally.behind = 7;
  const mix = tally.mix;
  tally.reset();
  assert.equal(tally.count, 0);
  assert.deepEqual(tally.mix, [0, 0, 0]);
  assert.deepEqual(mix, [6, 4, 2], 'a sent tick keeps its own array');
  assert.equal(tally.behind, 7, 'behind is a level, not a delta: kept');
});
