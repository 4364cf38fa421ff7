/** The storm report's numbers from known aggregates, and their text rendering (no cluster, no children). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gcHistogram, latencyHistogram } from '../../../src/measure/histograms.js';
import { addValue, noMoments } from '../../../src/measure/moments.js';
import { HEALTH_COLUMNS, renderStormText } from '../../../src/report/storm-report.js';
import { parseStormOptions, type StormOptions } from '../../../src/storm/options.js';
import { buildReport, durability, type RunTotals } from '../../../src/storm/report-builder.js';

const options = (flags: Record<string, unknown> = {}): StormOptions => {
  const r = parseStormOptions({ 'run-id': 'r1', workers: '2', count: '1000', ...flags }).request;
  assert.ok(r);
  return { ...r, bootstrap: 'k:9092' };
};

function totals(over: Partial<RunTotals> = {}): RunTotals {
  const histogram = latencyHistogram();
  for (let ms = 1; ms <= 100; ms++) histogram.recordValue(ms);
  const gcPauses = gcHistogram();
  gcPauses.recordValue(2000);
  const batchShares = noMoments();
  for (const x of [0.2, 0.4, 0.6, 0.8]) addValue(batchShares, x);
  return {
    acked: 1000,
    bytes: 2_000_000,
    sent: 1000,
    failed: {},
    mix: [500, 300, 200],
    batchShares,
    unresolved: 0,
    throttledMs: 0,
    peakRate: 600,
    startupSec: 0.5,
    restarts: 0,
    unsettledGivenBack: 0,
    maxRssBytes: [100 * 2 ** 20, 120 * 2 ** 20],
    childCpuMicros: 1_500_000,
    childrenCounted: 2,
    cpuSec: 2.2,
    histogram,
    gcPauses,
    intended: latencyHistogram(),
    publishDelay: latencyHistogram(),
    partitions: [],
    warmup: { acked: 0, failed: 0, bytes: 0 },
    scheduleStartMs: null,
    firstGrantMs: null,
    timeline: [
      [1, 600],
      [2, 400],
    ],
    health: [[5, 0, 100, 50, 1, 2, 3, 4]],
    ...over,
  };
}

const build = (
  o: StormOptions,
  t: RunTotals,
  extra: { stopped?: boolean; error?: { code: 'PRODUCE'; message: string }; scheduledUntilMs?: number } = {},
) =>
  buildReport({
    options: o,
    totals: t,
    brokers: 3,
    topic: { name: 'tweets', partitions: 9, replication: 3 },
    startedAt: new Date('2026-11-26T00:00:00Z'),
    elapsedSec: 2,
    global: { acked: 1000, bytes: 2_000_000, failed: 0, positive: 500, negative: 300, neutral: 200 },
    issued: 1000,
    measuredFromMs: Date.parse('2026-11-26T00:00:00Z'),
    stopped: extra.stopped ?? false,
    error: extra.error ?? null,
    scheduledUntilMs: extra.scheduledUntilMs,
  });

test('rates, bytes, latency percentiles and the mix come from the aggregates', () => {
  const r = build(options(), totals());
  assert.equal(r.acknowledged, 1000);
  assert.equal(r.rate.average, 500, '1000 acknowledged over 2 s');
  assert.equal(r.rate.peak, 600);
  assert.equal(r.megabytesPerSec, 1, '2 MB over 2 s');
  assert.deepEqual(r.latencyMs, { p50: 50, p95: 95, p99: 99, p999: 100, max: 100, samples: 100 });
  assert.ok(r.sentiment, 'tweets: sentiments, not a record section');
  assert.equal(r.record, null);
  assert.deepEqual(r.sentiment.shares, { positive: 50, negative: 30, neutral: 20 });
  assert.equal(r.sentiment.batches, 4);
  assert.equal(r.sentiment.batchPositiveShareStd, 0.2236, 'population std of 0.2, 0.4, 0.6, 0.8');
  assert.deepEqual(r.global, { acknowledged: 1000, failed: 0, issued: 1000 });
  assert.deepEqual(r.children, { workers: 2, restarts: 0, reproduced: 0, maxRssMiB: [100, 120] });
  assert.deepEqual(r.cpu, { clientSec: 2.2, perMessageUs: 2200, children: 2 }, '2.2 s over 1000 acknowledged');
  assert.equal(r.gcPausesMs?.count, 1);
  assert.deepEqual(r.health.columns, HEALTH_COLUMNS);
  assert.deepEqual(r.notes, []);
  assert.equal(r.settings.partitions, 9);
});

test('acks=0: nothing acknowledged is claimed; sent is what went on the wire; no latency', () => {
  const r = build(options({ acks: '0' }), totals({ failed: { _MSG_TIMED_OUT: 5 } }));
  assert.equal(r.acknowledged, null);
  assert.equal(r.sent, 1005);
  assert.equal(r.latencyMs, null);
  assert.match(r.durability, /^acks=0: nothing is acknowledged/);
  assert.ok(r.notes.some((n) => n.startsWith('acks=0')));
});

test('failures, restarts, a stop and an error each leave a note', () => {
  const t = totals({ failed: { _MSG_TIMED_OUT: 3 }, restarts: 1, unsettledGivenBack: 42, unresolved: 2 });
  const r = build(options(), t, { stopped: true, error: { code: 'PRODUCE', message: 'x' } });
  assert.equal(r.failed, 3);
  assert.equal(r.notes.length, 5, r.notes.join('\n'));
  assert.equal(r.children.reproduced, 42);
  assert.deepEqual(r.error, { code: 'PRODUCE', message: 'x' });
});

test("a quota's throttling is in the report, and said to bound the rate", () => {
  assert.equal(build(options(), totals()).throttledMs, 0);
  const r = build(options(), totals({ throttledMs: 1234.4 }));
  assert.equal(r.throttledMs, 1234);
  assert.ok(r.notes.some((n) => /^brokers throttled the producers, asking 1,234 ms .*producer_byte_rate/.test(n)));
});

test('durability says what an acknowledgement promises', () => {
  assert.match(durability({ acks: 'all', idempotence: true }), /written once and in order/);
  assert.match(durability({ acks: 'all', idempotence: false }), /may write a message twice/);
  assert.match(durability({ acks: '1', idempotence: false }), /leader only/);
});

test('the text report shows the figures the JSON holds', () => {
  const r = build(options({ mode: 'volatile' }), totals({ failed: { _MSG_TIMED_OUT: 3 } }));
  const text = renderStormText(r);
  const line = (label: string) => text.split('\n').find((l) => l.trimStart().startsWith(label)) ?? '';
  assert.match(text, /^DataStorm run r1: topic tweets on 3 broker\(s\), 9 partitions, replication 3$/m);
  assert.equal(line('acknowledged:'), '  acknowledged:  1,000 messages in 2.0 s (after 0.5 s of start-up)');
  assert.equal(line('failed:'), '  failed:        3 (_MSG_TIMED_OUT: 3)');
  assert.equal(line('rate:'), '  rate:          500 msg/s average, 600 msg/s peak, 1 MB/s');
  assert.equal(line('latency (ms):'), '  latency (ms):  p50 50  p95 95  p99 99  p99.9 100  max 100');
  assert.match(
    line('sentiment:'),
    new RegExp(
      '^ {2}sentiment: {5}volatile \\(volatility 0.8, swinging every 1 s\\): ' +
        'positive 500 \\(50%\\), negative 300 \\(30%\\), neutral 200 \\(20%\\)$',
    ),
  );
  assert.match(text, /per-batch positive share: std 0\.2236 over 4 batches/);
  assert.match(line('children:'), /2 workers, 0 restarts, peak RSS 100\/120 MiB/);
  assert.match(text, /note: 3 deliveries failed/);
});

test('a shaped run: the target per timeline second, warm-up apart, partition skew, and the text says each', () => {
  const start = Date.parse('2026-11-26T00:00:00Z');
  const o = options({ stages: '2s:0-1000,2s:1000', warmup: '1s', count: undefined, keys: 'uniform:10' });
  const r = build(
    o,
    totals({
      scheduleStartMs: start - 1000, // measuring starts 1 s in, after the warm-up
      warmup: { acked: 500, failed: 0, bytes: 10 },
      partitions: [300, 300, 400],
      timeline: [
        [1, 740],
        [2, 990],
      ],
    }),
    { scheduledUntilMs: 4000 },
  );
  // Second 1-2 of the schedule ramps 500→1000 (750 on average); 2-3 holds 1000.
  assert.deepEqual(r.schedule.perSecond, [
    [1, 740, 750],
    [2, 990, 1000],
  ]);
  assert.deepEqual(r.warmup, { seconds: 1, acknowledged: 500, failed: 0, bytes: 10 });
  assert.equal(r.schedule.scheduled, 3000, '1,000 on the ramp, 2,000 on the hold');
  assert.equal(r.schedule.notSent, 2000, 'the quota issued 1,000 of them');
  assert.deepEqual(r.partitions.acknowledged, [300, 300, 400, 0, 0, 0, 0, 0, 0], 'every partition of the topic');
  assert.equal(r.partitions.skew, 3.6, '400 over a mean of 1000/9');
  assert.deepEqual(r.settings.keys, { kind: 'uniform', n: 10 });
  const text = renderStormText(r);
  assert.match(text, /shape: +stages: 0→1k\/s over 2s, 1k\/s for 2s \(4s\); scheduled 3,000, not sent 2,000/);
  assert.match(text, /warm-up: +1 s, 500 acknowledged \(not in the figures above\)/);
  assert.match(text, /partitions: +keys uniform over 10 users; busiest\/mean 3.6 over 9/);
});
