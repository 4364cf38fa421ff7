/** The HTML report: one file with everything it needs inlined, the report's figures in it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderStormHtml } from '../../../src/report/html-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';

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
  settings: { acks: 'all' },
  versions: { node: '20' },
  machine: { cores: 2 },
  notes: ['</script><script>alert(1)</script>'],
  timeline: [
    [1, 600],
    [2, 400],
  ],
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
