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
  elapsedSec: 12.5,
  consumed: 1_000_000,
  undecodable: 0,
  pointsWritten: 2500,
  consumedPerSec: 100_000,
  activeSec: 10,
  pointsPerSec: 250,
  retries: 1,
  writeErrors: 1,
  bySentiment: { positive: 500_000, negative: 300_000, neutral: 200_000 },
  lagAtEnd: 0,
  restarts: 0,
  allCommitted: true,
  influx: { url: 'http://i:8086', db: 'brandpulse' },
};

test('pulse: the report line and the sentiment line; undecodable and uncommitted only when there are any', () => {
  const [first, second, ...rest] = renderPulseText(pulse).split('\n');
  assert.equal(
    first,
    'pulse tweets → http://i:8086/brandpulse (counts): consumed 1,000,000 tweets in 12.5 s (100,000/s), ' +
      '2,500 points written (250/s), 1 retries, 1 write errors, lag 0',
  );
  assert.equal(second, '  sentiment consumed: positive 500,000, negative 300,000, neutral 200,000');
  assert.deepEqual(rest, []);
  const worse = renderPulseText({ ...pulse, undecodable: 3, allCommitted: false });
  assert.match(worse, /, 3 undecodable \(not tweets of the schema; skipped\)\n/);
  assert.match(worse, /note: some offsets were not committed/);
});

test('pulse: progress and --summary', () => {
  const p = {
    elapsedSec: 1,
    consumed: 1500,
    points: 10,
    consumedRate: 1499.6,
    pointsRate: 10,
    lag: -1,
    retries: 0,
    writeErrors: 0,
  };
  assert.equal(renderPulseProgress(p), 'consumed 1,500 (1,500/s)  points 10 (10/s)  lag -1  retries 0  write errors 0');
  const s = renderPulseSummary(
    { minutes: 5, total: 4, bySentiment: { positive: 2, negative: 1, neutral: 1 } },
    pulse.influx,
  );
  assert.deepEqual(s.split('\n'), [
    'Sentiment over the last 5 minutes (InfluxDB http://i:8086, database brandpulse): 4 tweets',
    '  positive             2  50.00%',
    '  negative             1  25.00%',
    '  neutral              1  25.00%',
  ]);
});

test('verify: totals, latency, and a line for each producer with a problem', () => {
  const r: VerifyReport = {
    topic: 't',
    runId: 'r1',
    received: 10,
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
        maxSeq: -1,
      },
    ],
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
