/** The HTML report: one file with everything it needs inlined, the report's figures in it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderStormHtml } from '../../../src/report/html-report.js';
import { type StormReport, withScenarioDefaults } from '../../../src/report/storm-report.js';

const report = {
  runId: 'r<1>',
  topic: 'tweets',
  brokers: 3,
  startedAt: '2026-11-26T00:00:00.000Z',
  elapsedSec: 2,
  sent: 1000,
  acknowledged: 1000,
  rate: { average: 500, peak: 600 },
  megabytesPerSec: 1,
  latencyMs: { p50: 5, p95: 8, p99: 9, p999: 12, max: 20, samples: 1000 },
  sentiment: {
    mode: 'fixed',
    requested: [50, 30, 20],
    volatility: null,
    counts: { positive: 500, negative: 300, neutral: 200 },
    shares: { positive: 50, negative: 30, neutral: 20 },
    batches: 0,
    batchPositiveShareStd: null,
  },
  failed: 0,
  failedByKind: {},
  durability: 'acks=all',
  settings: { acks: 'all', keys: { kind: 'none' }, brands: ['nike', 'adidas'], command: 'datastorm storm --count 10' },
  versions: { node: '20' },
  machine: { cores: 2 },
  notes: ['</script><script>alert(1)</script>'],
  timeline: [
    [1, 600],
    [2, 400],
  ],
  schedule: { shape: 'constant', description: 'rate: 500/s, constant', perSecond: [] },
  warmup: null,
  coordinatedOmission: null,
  partitions: { acknowledged: [600, 400], skew: 1.2 },
  keys: 'no keys',
  findMax: null,
} as unknown as StormReport;

test('self-contained: the chart library and the data inlined, nothing fetched, text escaped', () => {
  const html = renderStormHtml(report);
  assert.doesNotMatch(html, /<script src=|<link /, 'no external script or stylesheet');
  assert.match(html, /uPlot/);
  assert.match(html, /"timeline":\[\[1,600\],\[2,400\]\]/);
  assert.match(html, /1,000 acknowledged/);
  assert.match(html, /DataStorm run r&lt;1&gt;/);
  assert.ok(!html.includes('<script>alert(1)'), 'a note cannot inject markup');
  assert.match(html, /<tr><th>p99<\/th><td>9<\/td><\/tr>/);
});

test('a shaped run: target beside the timeline, find-max curve and steps, intended-time figures', () => {
  const pct = { p50: 3, p95: 4, p99: 2100, p999: 2200, max: 2300, samples: 1000 };
  const html = renderStormHtml({
    ...report,
    schedule: {
      shape: 'find-max',
      description: 'find-max: 10k/s, +10k/s every 4s',
      scheduled: 20_000,
      notSent: 0,
      perSecond: [
        [1, 600, 10_000],
        [2, 400, 10_000],
      ],
    },
    warmup: { seconds: 2, acknowledged: 1234, failed: 0, bytes: 1 },
    coordinatedOmission: { publishDelayMs: pct, latencyFromIntendedMs: pct },
    findMax: {
      maxRate: 10_000,
      spec: { start: 10_000, step: 10_000, everySec: 4, tolerance: 0.05, p99Ms: 1000 },
      steps: [
        { rate: 10_000, achieved: 9990, p99Ms: 40, behind: 0, held: true, reason: '' },
        { rate: 20_000, achieved: 15_000, p99Ms: 900, behind: 0, held: false, reason: 'short' },
      ],
    },
  });
  assert.match(html, /"target":\[10000,10000\]/);
  assert.match(html, /find-max: highest rate held 10,000 msgs\/s/);
  assert.match(html, /20,000\/s<\/th><td>15,000\/s, p99 900 ms, behind 0: failed \(short\)/);
  assert.match(html, /warm-up 2 s \(1,234 acknowledged/);
  assert.match(html, /latency from the intended time<\/th><td>p50 3, p99 2100/);
  assert.match(html, /id="curve"/);
});

test('a report saved before rate shapes still renders, as text and as HTML', () => {
  const old = { ...report } as Partial<StormReport>;
  for (const k of ['schedule', 'warmup', 'coordinatedOmission', 'partitions', 'findMax'] as const) delete old[k];
  // Reports of that time held the keys as their description.
  const legacy = {
    ...old,
    settings: { ...report.settings, keys: 'keys zipf over 1,000 users, s=1.2 (top key 23.1%)' },
  };
  const r = withScenarioDefaults(legacy as unknown as StormReport);
  assert.match(renderStormHtml(r), /shape: not recorded/);
  assert.equal(r.findMax, null);
  assert.deepEqual(r.settings.keys, { kind: 'zipf', n: 1000, s: 1.2 });
  const older = withScenarioDefaults({ ...old, settings: { acks: 'all' } } as unknown as StormReport);
  assert.deepEqual(older.settings.keys, { kind: 'none' }, 'before keys, a run had none');
});
