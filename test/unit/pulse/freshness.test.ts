/** Freshness (pulse/freshness.ts): runs of created_at steps give every tweet's age, as a per-tweet count would. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValueCounts } from '../../../src/measure/value-counts.js';
import { CreatedRuns, FRESHNESS_STEP_MS } from '../../../src/pulse/freshness.js';
import { Rng } from '../../../src/random.js';

/** The reference: each tweet's age on its own, at the step's middle, in steps, never below 0. */
function referenceAges(created: number[], ackMs: number): number[] {
  const out = new ValueCounts();
  for (const c of created) {
    const middle = (Math.floor(c / FRESHNESS_STEP_MS) + 0.5) * FRESHNESS_STEP_MS;
    out.record(Math.max(0, Math.round((ackMs - middle) / FRESHNESS_STEP_MS) * FRESHNESS_STEP_MS));
  }
  return out.pairs();
}

function runsAges(created: number[], ackMs: number): { pairs: number[]; tweets: number } {
  const runs = new CreatedRuns();
  for (const c of created) runs.add(c);
  const ages = new ValueCounts();
  runs.recordAges(ackMs, ages);
  return { pairs: ages.pairs(), tweets: runs.tweets };
}

test('freshness: ordered, interleaved, shuffled and clock-ahead created_at give the per-tweet ages', () => {
  const rng = new Rng(7);
  const ack = 1_700_000_010_000;
  for (let round = 0; round < 40; round++) {
    const n = 1 + rng.int(20_000);
    const created: number[] = [];
    const partitions = 1 + rng.int(6);
    const clocks = Array.from({ length: partitions }, () => ack - rng.int(8000));
    for (let i = 0; i < n; i++) {
      const p = round % 3 === 0 ? rng.int(partitions) : Math.floor((i * partitions) / n);
      clocks[p] += rng.int(3); // a partition's tweets in created_at order, as producers write them
      created.push(round % 5 === 4 ? ack - 8000 + rng.int(9000) : clocks[p]); // every 5th: any order, some ahead
    }
    const got = runsAges(created, ack);
    assert.deepEqual(got.pairs, referenceAges(created, ack), `round ${round}`);
    assert.equal(got.tweets, n);
  }
});

test('freshness: past the run limit the steps go on in a map, nothing lost', () => {
  const rng = new Rng(9);
  const ack = 2_000_000;
  const created = Array.from({ length: 150_000 }, () => rng.int(1_000_000)); // a new run nearly every tweet
  const got = runsAges(created, ack);
  assert.deepEqual(got.pairs, referenceAges(created, ack));
  assert.equal(got.tweets, 150_000);
});

test('freshness: an age is within one step of the exact one', () => {
  const ack = 1_000_000;
  for (const created of [999_999, 999_990, 995_001, 0, 1_000_004]) {
    const got = runsAges([created], ack).pairs[0];
    assert.ok(Math.abs(got - Math.max(0, ack - created)) <= FRESHNESS_STEP_MS, `${created}: ${got}`);
  }
});
