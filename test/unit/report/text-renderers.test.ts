/** Pulse's and verify's text output from known reports. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type PulseReport,
  renderPulseProgress,
  renderPulseSummary,
  renderPulseText,
} from '../../../src/report/pulse-report.js';
import { renderVerifyText, type VerifyReport } from '../../../src/report/verify-report.js';

const pulse: PulseReport = {
  topic: 'tweets',
  group: 'g',
  store: 'counts',
  elapsedSec: 20,
  consumed: 1_000_000,
  undecodable: 0,
  undecodableByPartition: {},
  unstorable: 0,
  deadLettered: null,
  pointsWritten: 2500,
  rate: { overall: 50_000, active: 100_000, activeSec: 10, joinSec: 3.5, idleSec: 6.5 },
  pointsPerSec: 250,
  retries: 1,
  writeErrors: 1,
  bySentiment: { positive: 500_000, negative: 300_000, neutral: 200_000 },
  lag: { atEnd: 0, byPartition: { 0: 0, 1: 0 }, caughtUpAtSec: 13.5, most: 120_000 },
  restarts: 0,
  allWritten: true,
  rereadOnNextRun: 0,
  freshnessMs: null,
  influx: { url: 'http://i:8086', org: 'datastorm', bucket: 'brandpulse' },
};

test('pulse: both rates, each named, and where the difference went; lag and when it caught up', () => {
  const lines = renderPulseText(pulse).split('\n');
  assert.deepEqual(lines, [
    'pulse tweets → http://i:8086 bucket brandpulse (counts): consumed 1,000,000 tweets in 20 s: 50,000/s overall, ' +
      '100,000/s while consuming (10 s; 3.5 s starting and joining the group before, 6.5 s idle after)',
    '  written:   2,500 points (250/s), 1 retries, 1 write errors',
    '  sentiment: positive 500,000, negative 300,000, neutral 200,000',
    '  lag:       0 at the end; caught up with the topic at 13.5 s; at most 120,000 behind',
  ]);
});

test('pulse: poison per partition, dead letters, unwritten and re-read notes only when there are any', () => {
  const worse = renderPulseText({
    ...pulse,
    undecodable: 3,
    undecodableByPartition: { 0: 1, 2: 2 },
    deadLettered: 3,
    allWritten: false,
    rereadOnNextRun: 1200,
    lag: { atEnd: 40, byPartition: { 0: 10, 1: 30 }, caughtUpAtSec: null, most: -1 },
  });
  assert.match(worse, /\n {2}lag: {7}40 at the end \(most on partition 1: 30\)\n/);
  assert.match(
    worse,
    /skipped: {3}3 undecodable, not tweets of the schema \(partition 0: 1, partition 2: 2\), 3 copied/,
  );
  assert.match(worse, /note: some tweets were not acknowledged by InfluxDB before shutdown/);
  assert.match(worse, /note: 1,200 messages of open counts windows are written but not committed/);
  assert.doesNotMatch(worse, /freshness|cannot store/);
  assert.match(
    renderPulseText({ ...pulse, unstorable: 7 }),
    /\n {2}skipped: {3}7 tweets with a created_at InfluxDB cannot store \(outside 1677-09-21 … 2262-04-11\)/,
  );
});

test('pulse: freshness, named by what it spans, when anything was written', () => {
  const fresh = renderPulseText({
    ...pulse,
    freshnessMs: { p50: 1230, p95: 1800, p99: 2500, p999: 2600, max: 3010, samples: 1_000_000 },
  });
  assert.match(
    fresh,
    new RegExp(
      "\\n {2}freshness: p50 1\\.23 s, p99 2\\.50 s, max 3\\.01 s from a tweet's created_at to InfluxDB " +
        'acknowledging it \\(1,000,000 tweets\\)',
    ),
  );
});

test('pulse: progress and --summary', () => {
  const p = {
    elapsedSec: 1,
    consumed: 1500,
    points: 10,
    consumedRate: 1499.6,
    pointsRate: 10,
    lag: 7,
    lagByPartition: { 0: 2, 1: 5 },
    retries: 0,
    writeErrors: 0,
    undecodable: 0,
    freshnessMs: null,
  };
  assert.equal(
    renderPulseProgress(p),
    'consumed 1,500 (1,500/s)  points 10 (10/s)  lag 7 (most on partition 1: 5)  retries 0  write errors 0',
  );
  assert.equal(
    renderPulseProgress({ ...p, freshnessMs: { p50: 900, p99: 1500, tweets: 1500 } }),
    'consumed 1,500 (1,500/s)  points 10 (10/s)  lag 7 (most on partition 1: 5)  fresh p50 0.90 s p99 1.50 s  ' +
      'retries 0  write errors 0',
  );
  const s = renderPulseSummary(
    { minutes: 5, total: 4, bySentiment: { positive: 2, negative: 1, neutral: 1 } },
    pulse.influx,
  );
  assert.deepEqual(s.split('\n'), [
    'Sentiment over the last 5 minutes (InfluxDB http://i:8086, bucket brandpulse): 4 tweets',
    '  positive             2  50.00%',
    '  negative             1  25.00%',
    '  neutral              1  25.00%',
  ]);
});

test('verify: totals, latency, and a line for each producer with a problem', () => {
  const r: VerifyReport = {
    topic: 't',
    runId: 'r1',
    read: { messages: 10, expected: 10, cutShort: null },
    received: 10,
    invalidSeq: 0,
    skippedOtherRuns: 0,
    undecodable: 2,
    lost: 1,
    unconfirmed: 3,
    duplicated: 0,
    outOfOrder: 0,
    producers: [
      {
        producer: 'r1/a.p0.0',
        received: 5,
        lost: 0,
        unconfirmed: 3,
        replaced: true,
        duplicated: 0,
        outOfOrder: 0,
        invalidSeq: 0,
        maxSeq: 7,
      },
      {
        producer: 'r1/a.p1.0',
        received: 5,
        lost: 1,
        unconfirmed: 0,
        replaced: false,
        duplicated: 0,
        outOfOrder: 0,
        invalidSeq: 0,
        maxSeq: 5,
      },
      {
        producer: 'r1/a.p0.1',
        received: 0,
        lost: 0,
        unconfirmed: 0,
        replaced: false,
        duplicated: 0,
        outOfOrder: 0,
        invalidSeq: 0,
        maxSeq: -1,
      },
    ],
    keys: null,
    latencyMs: { p50: 1, p95: 2, p99: 3, p999: 4, max: 5 },
  };
  const lines = renderVerifyText(r).split('\n');
  assert.equal(lines[0], 'verify t (run r1): 10 received from 3 producers, 1 lost, 0 duplicated, 0 out of order');
  assert.match(lines[1], /^ {2}3 unconfirmed: in flight when a storm child died/);
  assert.match(lines[2], /^ {2}2 messages did not decode/);
  assert.equal(lines[3], '  end-to-end latency (ms, produced to read): p50 1  p95 2  p99 3  p99.9 4  max 5');
  assert.equal(
    lines[4],
    '  r1/a.p0.0 (died, restarted): 5 received, 0 lost, 3 unconfirmed, 0 duplicated, 0 out of order',
  );
  assert.equal(lines[5], '  r1/a.p1.0: 5 received, 1 lost, 0 duplicated, 0 out of order');
  assert.equal(lines.length, 6);
});

test('verify: a read cut short says so, with how much it read, and is no pass', () => {
  const r = {
    topic: 't',
    runId: null,
    read: {
      messages: 1500,
      expected: 5000,
      cutShort: 'the topic went away while it was read (UNKNOWN_TOPIC_OR_PART: x)',
    },
    received: 1500,
    skippedOtherRuns: 0,
    undecodable: 0,
    lost: 0,
    unconfirmed: 0,
    duplicated: 0,
    outOfOrder: 0,
    producers: [],
    keys: null,
    latencyMs: null,
  } as unknown as VerifyReport;
  assert.match(
    renderVerifyText(r),
    new RegExp(
      '\\n {2}INCOMPLETE: read 1,500 of the 5,000 messages the topic held at the start: the topic went away while ' +
        'it was read \\(UNKNOWN_TOPIC_OR_PART: x\\); the figures above cover what was read, this is not a pass',
    ),
  );
});
