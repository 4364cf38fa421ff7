import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latencyHistogram } from '../../../src/measure/histograms.js';
import { addToBuckets, noLatencyBuckets } from '../../../src/measure/latency-buckets.js';
import { renderMergedHtml } from '../../../src/report/merged-html.js';
import {
  encodeHistogram,
  type InstanceRecord,
  mergeInstanceRecords,
  renderMergedText,
} from '../../../src/report/merged-report.js';
import { constantShape } from '../../../src/scenario/constant.js';
import { encodeSchedule } from '../../../src/scenario/schedule.js';

const START = 1_800_000_000_000;

/** An instance that acknowledged `values` (latencies, ms), one per message, in the run's first seconds. */
function record(index: number, values: number[], done = true, offset = 10 * index): InstanceRecord {
  const h = latencyHistogram();
  const buckets = noLatencyBuckets();
  for (const v of values) {
    h.recordValue(v);
    addToBuckets(buckets, v, 1);
  }
  const half = Math.floor(values.length / 2);
  return {
    id: `i${index}-abcd`,
    index,
    instances: 3,
    host: `host-${index}`,
    pid: 100 + index,
    state: done ? 'done' : 'running',
    startAtMs: START,
    startOffsetMs: offset,
    updatedAtMs: START + 2000,
    acknowledged: values.length,
    failed: 0,
    sent: values.length,
    bytes: 200 * values.length,
    elapsedSec: 2,
    perSecond: [
      [1, half],
      [2, values.length - half],
    ],
    buckets,
    histogram: done ? encodeHistogram(h) : null,
    schedule: '',
    count: null,
    topic: 'tweets',
    error: null,
  };
}

test('merged report: sums, a summed timeline, and percentiles of the merged histograms, not averaged', () => {
  // One instance fast (1 ms), one slow (1000 ms), one in between: an average of p50s would say 337.
  const fast = Array(100).fill(1);
  const slow = Array(100).fill(1000);
  const middle = Array(101).fill(10);
  const m = mergeInstanceRecords('run', [record(0, fast), record(1, slow), record(2, middle)]);
  assert.equal(m.acknowledged, 301);
  assert.equal(m.latencyFrom, 'histograms');
  assert.equal(m.latencyMs?.p50, 10, 'the merged median is the middle instance');
  assert.equal(m.latencyMs?.samples, 301);
  assert.ok((m.latencyMs?.p99 ?? 0) >= 999);
  assert.deepEqual(m.timeline, [
    [1, 150, null],
    [2, 151, null],
  ]);
  assert.equal(m.startSkewMs, 20);
  assert.equal(m.finished, 3);
  assert.match(renderMergedText(m), /3 of 3 instance\(s\) finished/);
});

test('merged report: while an instance runs, percentiles are the merged buckets, and it says so', () => {
  const m = mergeInstanceRecords('run', [record(0, [3, 3, 3]), record(1, [40, 40, 40], false)]);
  assert.equal(m.latencyFrom, 'buckets');
  assert.equal(m.latencyMs?.p50, 5, 'the bucket 3 ms falls in: up to 5 ms');
  assert.equal(m.latencyMs?.p99, 50);
  assert.equal(m.finished, 1);
  assert.equal(m.joined, 2);
  assert.match(renderMergedText(m), /1 of 3 instance\(s\) finished, 1 never joined/);
  assert.match(renderMergedText(m), /merged buckets, upper bounds/);
});

test('merged report: a restarted instance counts both of its processes', () => {
  const dead = { ...record(1, [5, 5]), id: 'i1-dead', state: 'killed' as const, histogram: null };
  const m = mergeInstanceRecords('run', [record(0, [5]), dead, record(1, [5, 5, 5]), record(2, [5])]);
  assert.equal(m.acknowledged, 7);
  assert.equal(m.processes, 4);
  assert.equal(m.joined, 3);
  assert.equal(m.finished, 3);
  assert.equal(m.latencyFrom, 'buckets', 'the killed process left no histogram');
});

test('merged report: an index whose only process was killed or lost has not finished', () => {
  for (const state of ['killed', 'lost', 'running'] as const) {
    const gone = { ...record(1, [5, 5]), state, histogram: null };
    const m = mergeInstanceRecords('run', [record(0, [5]), gone, record(2, [5])]);
    assert.equal(m.finished, 2, state);
    assert.equal(m.acknowledged, 4, `${state}: what it published still counts`);
    assert.match(renderMergedText(m), /2 of 3 instance\(s\) finished/);
  }
});

test('merged report as HTML: every figure of the text, values from records shown as text', () => {
  const hostile = { ...record(1, [5, 9]), host: '<img src=x onerror=alert(1)>', error: '<b>boom</b>' };
  const m = mergeInstanceRecords('run', [record(0, [5]), hostile, record(2, [7])]);
  const html = renderMergedHtml(m);
  assert.match(html, /4 acknowledged by all instances/);
  assert.match(html, /merged HDR histograms of every instance/);
  assert.doesNotMatch(html, /<img src=x/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.doesNotMatch(html, /<b>boom<\/b>/);
});

test('merged report of a shaped run: each second beside its target, and the text says how close it came', () => {
  const schedule = encodeSchedule(constantShape(2).schedule);
  const m = mergeInstanceRecords('run', [
    { ...record(0, [5, 5, 5]), schedule },
    { ...record(1, [5]), schedule },
    { ...record(2, [5, 5]), schedule },
  ]);
  assert.deepEqual(m.timeline, [
    [1, 2, 2],
    [2, 4, 2],
  ]);
  assert.match(renderMergedText(m), /schedule: +6 acknowledged of 4 scheduled over 2 s \(150\.0%\)/);
});
