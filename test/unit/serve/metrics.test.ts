/** /metrics carries each reader group's reads, backlog and end-to-end latency from the storm's tick. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noLatencyBuckets } from '../../../src/measure/latency-buckets.js';
import type { StormProgress } from '../../../src/report/progress.js';
import { DataStormMetrics } from '../../../src/serve/metrics.js';

test('a storm with readers: per group, what it read, its backlog and its end-to-end quantiles', async () => {
  const m = new DataStormMetrics();
  const tick: StormProgress = {
    ...{ elapsedSec: 1, acked: 100, currentRate: 100, averageRate: 100, errors: 0, inFlight: 0, behind: 0 },
    ...{ targetRate: null, warmingUp: false, sent: 100, failedByKind: {}, mix: [0, 0, 0], latencyMs: null },
    latencyBuckets: noLatencyBuckets(),
    children: [],
    readers: [
      { group: 'g0', consumed: 90, reread: 0, backlog: 10, e2e: { p50: 12, p99: 250 }, intendedP99: null },
      { group: 'g1', consumed: 40, reread: 3, backlog: 60, e2e: null, intendedP99: null },
    ],
  };
  m.storm(tick);
  const text = await m.text();
  assert.match(text, /datastorm_reader_consumed\{group="g0"\} 90/);
  assert.match(text, /datastorm_reader_backlog\{group="g1"\} 60/);
  assert.match(text, /datastorm_reader_end_to_end_seconds\{group="g0",quantile="0.99"\} 0.25/);
  assert.doesNotMatch(text, /end_to_end_seconds\{group="g1"/, 'a group that timed nothing this second says nothing');
});
