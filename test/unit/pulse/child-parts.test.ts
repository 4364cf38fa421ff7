/**
 * The pulse child's parts, each alone: the offset ledger (what a flush may commit, what a revoked partition forgets,
 * what stays uncommitted), the points store's line buffer beside the counts store's, and the lag per partition read
 * from librdkafka's statistics.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetLedger } from '../../../src/pulse/offset-ledger.js';
import { partitionLag } from '../../../src/pulse/partition-lag.js';
import { LineBuffer, pointBufferFor } from '../../../src/pulse/point-buffer.js';
import { COUNT_WINDOW, CountsAggregator } from '../../../src/pulse/points.js';

const tweet = (created_at: number, sentimentIndex = 0) => ({
  created_at,
  brand: 'Nike',
  sentiment: 'positive',
  sentimentIndex,
  text: 'a tweet',
});

test('the ledger commits what a flush covers, then only what came after', () => {
  const ledger = new OffsetLedger();
  const buffer = new LineBuffer();
  for (const offset of [0, 1, 2]) ledger.consumed(0, offset);
  ledger.consumed(1, 40);
  const plan = ledger.takeCommitPlan(buffer);
  assert.deepEqual(
    [...plan],
    [
      [0, 3],
      [1, 41],
    ],
  );
  assert.equal(ledger.hasPending, false, 'the next flush starts after the plan');
  ledger.committed(plan);
  assert.equal(ledger.uncommitted(), 0);
  ledger.consumed(0, 3);
  ledger.consumed(0, 4);
  assert.equal(ledger.uncommitted(), 2, 'consumed since the last commit');
  assert.equal(ledger.positionOf(0), 5);
});

test('a revoked partition is forgotten whole: no commit, no position, nothing uncommitted', () => {
  const ledger = new OffsetLedger();
  ledger.consumed(0, 9);
  ledger.consumed(1, 9);
  ledger.committed(ledger.takeCommitPlan(new LineBuffer()));
  ledger.consumed(0, 10);
  ledger.consumed(1, 10);
  ledger.revoke([1]);
  assert.deepEqual([...ledger.takeCommitPlan(new LineBuffer())], [[0, 11]]);
  assert.equal(ledger.positionOf(1), undefined);
  assert.equal(ledger.uncommitted(), 1, 'only the partition still owned');
});

test('the counts store commits an open window only up to its start; the points store commits everything', () => {
  const counts = pointBufferFor('counts');
  assert.ok(counts instanceof CountsAggregator);
  const offset = COUNT_WINDOW + 5;
  counts.add(tweet(1_000), 0, offset);
  const ledger = new OffsetLedger();
  ledger.consumed(0, offset);
  assert.deepEqual([...ledger.takeCommitPlan(counts)], [[0, COUNT_WINDOW]]);
  const points = pointBufferFor('points');
  points.add(tweet(1_000), 0, offset);
  ledger.consumed(0, offset);
  assert.deepEqual([...ledger.takeCommitPlan(points)], [[0, offset + 1]]);
});

test('the line buffer keeps a line per tweet per partition, and drops a revoked partition', () => {
  const buffer = new LineBuffer();
  buffer.add(tweet(1_000), 0, 0);
  buffer.add(tweet(2_000), 1, 0);
  buffer.add(tweet(3_000), 1, 1);
  assert.equal(buffer.size, 3);
  buffer.drop(new Set([1]));
  assert.equal(buffer.size, 1);
  const lines = buffer.drain();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^tweets,brand=Nike,partition=0,sentiment=positive count=1i,text="a tweet" 1000000000$/);
  assert.equal(buffer.size, 0);
});

test("lag per owned partition: from where the child read, else the group commit, else the log's start", () => {
  // next_offset (the fetch position) is in librdkafka's statistics and never read: see the next test.
  const statistics = {
    topics: {
      tweets: {
        partitions: {
          '0': { hi_offset: 100, lo_offset: 0, committed_offset: 10, next_offset: 10 },
          '1': { hi_offset: 100, lo_offset: 0, committed_offset: 60, next_offset: 60 },
          '2': { hi_offset: 50, lo_offset: 20, committed_offset: -1001, next_offset: 50 },
          '3': { hi_offset: -1, lo_offset: -1, committed_offset: -1, next_offset: -1 },
          '5': { hi_offset: 0, lo_offset: 0, committed_offset: -1001, next_offset: 0 },
          '6': { hi_offset: 80, lo_offset: -1, committed_offset: -1001, next_offset: 80 },
          '9': { hi_offset: 100, lo_offset: 0, committed_offset: 0, next_offset: 0 },
        },
      },
    },
  };
  const read = new Map([[0, 90]]);
  const lag = partitionLag(statistics, 'tweets', [0, 1, 2, 3, 4, 5, 6], (p) => read.get(p));
  assert.deepEqual(
    lag,
    { 0: 10, 1: 40, 2: 30, 3: -1, 4: -1, 5: 0, 6: -1 },
    'never committed: from the log start (2), empty (5), start not known yet (6); partition 9 is not owned',
  );
});

test('a partition never committed, assigned again after this child fetched it to its end: not caught up', () => {
  // Before the rebalance this child had fetched all of partition 0 and dropped what it had not written; assigned
  // again, it reads from the log's start, but until that fetch starts the statistics show the old position.
  const stats = {
    ts: 2_000,
    topics: {
      tweets: { partitions: { '0': { hi_offset: 900, lo_offset: 0, committed_offset: -1001, next_offset: 900 } } },
    },
  };
  assert.deepEqual(
    partitionLag(
      stats,
      'tweets',
      [0],
      () => undefined,
      () => 1_000,
    ),
    { 0: 900 },
  );
});

test('lag of a partition just assigned: unknown until statistics taken after the assignment place it', () => {
  // Before a rebalance this child had fetched all of partition 0 (next_offset = hi_offset) and dropped what it had not
  // written; assigned again, it reads again from the last commit: old statistics must not say "caught up".
  const stats = (ts: number, committed: number, next: number) => ({
    ts,
    topics: {
      tweets: { partitions: { '0': { hi_offset: 100, lo_offset: 0, committed_offset: committed, next_offset: next } } },
    },
  });
  const assignedAt = () => 1_000;
  const none = () => undefined;
  assert.deepEqual(partitionLag(stats(1_000, -1001, 100), 'tweets', [0], none, assignedAt), { 0: -1 });
  assert.deepEqual(partitionLag(stats(2_000, 30, 30), 'tweets', [0], none, assignedAt), { 0: 70 });
  assert.deepEqual(
    partitionLag(stats(1_000, -1001, 100), 'tweets', [0], () => 40, assignedAt),
    { 0: 60 },
    'read since',
  );
});
