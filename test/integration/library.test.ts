/**
 * DataStorm as a library, in-process, as the README's "As a library" shows it: storm() awaited for its report with
 * progress from its 'tick' events, then verify() on what it wrote.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type PhaseMark,
  parseStormOptions,
  type StormProgress,
  storm,
  type TickObserver,
  validOrThrow,
  verify,
} from 'datastorm';
import { topicMessageCount } from '../../src/kafka/admin.js';
import { bootstrap, redisUrl, uniqueTopic } from '../helpers/services.js';

test('storm() in-process: ticks as it runs, resolves with the exact count; verify() finds every message', async () => {
  const topic = uniqueTopic('library');
  const request = validOrThrow(parseStormOptions({ count: 300_000, rate: 150_000, topic, redis: redisUrl() }));
  const run = storm({ ...request, bootstrap: bootstrap() });
  const ticks: StormProgress[] = [];
  run.on('tick', (t: StormProgress) => ticks.push(t));
  const report = await run;
  assert.equal(report.acknowledged, 300_000);
  assert.equal(report.failed, 0);
  assert.ok(ticks.length >= 1, 'progress was emitted');
  assert.ok(
    ticks.every((t, i) => i === 0 || t.acked >= ticks[i - 1].acked),
    'acknowledged never goes back',
  );
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, 300_000);
  const v = await verify({ bootstrap: bootstrap(), topic, runId: request.runId });
  assert.equal(v.received, 300_000);
  assert.equal(v.lost, 0);
  assert.equal(v.duplicated, 0);
});

test("a run's phases in order, and an observer of our own fed every tick and the final one", async () => {
  const topic = uniqueTopic('library-observer');
  const request = validOrThrow(parseStormOptions({ count: 200_000, rate: 100_000, topic, redis: redisUrl() }));
  const run = storm({ ...request, bootstrap: bootstrap() });
  const phases: string[] = [];
  run.on('phase', (p: PhaseMark) => phases.push(p.name));
  const seen: { acked: number; final: boolean }[] = [];
  let started = 0;
  let stopped = 0;
  const observer: TickObserver<StormProgress> = {
    start: () => started++,
    tick: (t, final) => seen.push({ acked: t.acked, final }),
    stop: () => stopped++,
  };
  run.observe(observer);
  const report = await run;
  assert.deepEqual(phases, [
    'load schema',
    'connect to Redis',
    'prepare topic',
    'start readers',
    'join instances',
    'produce',
    'drain readers',
    'collect',
  ]);
  assert.deepEqual([started, stopped], [1, 1]);
  assert.ok(seen.length >= 2, `${seen.length} ticks`);
  assert.deepEqual(
    seen.map((s) => s.final),
    [...seen.slice(1).map(() => false), true],
    'the last tick, and only it, is final',
  );
  assert.equal(seen.at(-1)?.acked, report.acknowledged, 'the final tick carries the final count');
});
