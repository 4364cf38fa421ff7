/**
 * The Redis quota against a real Redis: exact counts under concurrent leases, replayed leases, a quota that vanished.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Quota, RUN_KEY_TTL_SEC, runKeys } from '../../../src/coord/quota.js';
import { connectRedis } from '../../../src/coord/redis.js';
import { parseFindMax } from '../../../src/scenario/find-max.js';
import { cumulativeAt, encodeSchedule, type Schedule } from '../../../src/scenario/schedule.js';
import { parseSine } from '../../../src/scenario/sine.js';
import { parseStages } from '../../../src/scenario/stages.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { redisUrl } from '../../helpers/services.js';

const runId = (name: string) => `${name}-${process.pid}-${Date.now().toString(36)}`;

test('concurrent leases never issue more than --count, and the slices tile 0..count-1', async () => {
  const redis = await connectRedis(redisUrl());
  try {
    const q = new Quota(redis, runId('tile'), 10_007, '');
    const slices: [number, number][] = [];
    const starts = new Set<number>();
    await Promise.all(
      [0, 1, 2, 3].map(async (p) => {
        for (let no = 0; ; ) {
          const asked = Date.now();
          const l = await q.lease(500, `p${p}`, no);
          // Every producer reads one start (Redis' clock), and its elapsed time counts from it.
          starts.add(l.startMs);
          assert.ok(Math.abs(asked - (l.startMs + l.elapsedMs)) < 1000, `start ${l.startMs} + ${l.elapsedMs} ms`);
          if (l.granted === 0) return;
          slices.push([l.first, l.granted]);
          no++;
        }
      }),
    );
    assert.equal(starts.size, 1, 'one start for the whole run');
    slices.sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (const [first, n] of slices) {
      assert.equal(first, next, 'no gap, no overlap');
      next += n;
    }
    assert.equal(next, 10_007);
    assert.equal(await q.issued(), 10_007);
  } finally {
    redis.disconnect();
  }
});

test(
  'a lease asked again with the same number returns the same slice (a lost reply issues nothing ' + 'twice)',
  async () => {
    const redis = await connectRedis(redisUrl());
    try {
      const q = new Quota(redis, runId('replay'), 1000, '');
      const a = await q.lease(100, 'p0', 0);
      const again = await q.lease(100, 'p0', 0);
      assert.deepEqual([again.first, again.granted], [a.first, a.granted]);
      assert.equal(await q.issued(), 100, 'the replay granted nothing new');
      const b = await q.lease(100, 'p0', 1);
      assert.deepEqual([b.first, b.granted], [100, 100]);
      assert.equal(await q.leasedBy('p0'), 200);
    } finally {
      redis.disconnect();
    }
  },
);

test(
  'a producer that leased before and finds the quota gone stops with REDIS_UNREACHABLE instead of counting again ' +
    'from 0',
  async () => {
    const redis = await connectRedis(redisUrl());
    try {
      const id = runId('vanished');
      const q = new Quota(redis, id, 1000, '');
      await q.lease(100, 'p0', 0);
      await redis.del(`datastorm:run:${id}:issued`); // as after a restart of a Redis without persistence
      await assert.rejects(
        q.lease(100, 'p0', 1),
        (e: Error & { code?: string }) => e.code === 'REDIS_UNREACHABLE' && /lost run .* quota/.test(e.message),
      );
      // A producer's first lease may still create the run.
      assert.equal((await q.lease(100, 'p1', 0)).granted, 100);
    } finally {
      redis.disconnect();
    }
  },
);

test("the lease script's schedule (Lua, in Redis) allows what the children's cumulativeAt computes", async () => {
  const redis = await connectRedis(redisUrl());
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    const shapes = [
      parseStages('300ms:0-100k,200ms:100k,0.1s:50k-50k,1s:0').shape,
      parseSine('100k,80k,400ms').shape,
      parseFindMax('start=10k,step=30k,every=3s').shape,
    ];
    for (const shape of shapes) {
      const schedule = (shape as { schedule: Schedule }).schedule;
      // Want nothing: each call only reads the schedule (Redis' clock, elapsed since the first call) and grants 0.
      const q = new Quota(redis, runId('schedule'), undefined, encodeSchedule(schedule));
      for (let i = 0; i < 8; i++) {
        const l = await q.lease(0, 'p', 0);
        assert.equal(l.allowed, Math.floor(cumulativeAt(schedule, l.elapsedMs) + 1e-6), `at ${l.elapsedMs} ms`);
        await sleep(90);
      }
    }
  } finally {
    redis.disconnect();
  }
});

test('a slice given back is leased again under new tweet ids; a replayed lease keeps its ids', async () => {
  const redis = await connectRedis(redisUrl());
  try {
    const q = new Quota(redis, runId('ids'), 250, '');
    const a = await q.lease(100, 'p0', 0);
    const b = await q.lease(100, 'p1', 0);
    assert.deepEqual([a.first, a.firstId, b.first, b.firstId], [0, 0, 100, 100]);
    assert.equal(await q.giveBack(100), 100, 'p1 died: its slice goes back to the count');
    const again = await q.lease(100, 'p2', 0);
    assert.equal(again.first, 100, 'the count leases the same place in the schedule again');
    assert.equal(again.firstId, 200, 'under ids no slice had');
    const replayed = await q.lease(100, 'p2', 0);
    assert.deepEqual([replayed.first, replayed.firstId, replayed.granted], [100, 200, 100]);
    const last = await q.lease(100, 'p0', 1);
    assert.deepEqual([last.first, last.firstId, last.granted], [200, 300, 50], 'the count stays exact');
  } finally {
    redis.disconnect();
  }
});

/** One step of a run as Redis sees it: a producer leases (or asks its last lease again), or a slice goes back. */
type Step = { lease: number; want: number; replay: boolean } | { giveBack: number };
const steps = fc.array(
  fc.oneof(
    fc.record({ lease: fc.integer({ min: 0, max: 3 }), want: fc.integer({ min: 1, max: 400 }), replay: fc.boolean() }),
    fc.record({ giveBack: fc.integer({ min: 0, max: 300 }) }),
  ),
  { minLength: 1, maxLength: 60 },
);

test('generated leases, replays and give-backs: ids never repeat, the count is never passed', async () => {
  const redis = await connectRedis(redisUrl());
  const { seed, runs } = fuzzSettings(40);
  let leases = 0;
  let givenBack = 0;
  let tried = 0;
  try {
    await fc.assert(
      fc.asyncProperty(steps, fc.integer({ min: 1, max: 3000 }), async (run: Step[], count) => {
        // A run of its own each time (runId's millisecond alone repeats between fast runs).
        const q = new Quota(redis, runId(`ids-fuzz-${tried++}`), count, '');
        const leaseNo = [0, 0, 0, 0];
        const idOwner = new Map<number, string>(); // id -> the lease (producer/number) that took it
        for (const step of run) {
          if ('giveBack' in step) {
            givenBack += await q.giveBack(step.giveBack);
            continue;
          }
          const p = step.lease;
          const no = step.replay && leaseNo[p] > 0 ? leaseNo[p] - 1 : leaseNo[p];
          const l = await q.lease(step.want, `p${p}`, no);
          leases++;
          if (l.granted > 0 && no === leaseNo[p]) leaseNo[p]++;
          for (let id = l.firstId; id < l.firstId + l.granted; id++) {
            const owner = idOwner.get(id);
            assert.ok(owner === undefined || owner === `${p}/${no}`, `id ${id} taken by ${owner} and by ${p}/${no}`);
            idOwner.set(id, `${p}/${no}`);
          }
          assert.ok((await q.issued()) <= count, 'the count is never passed');
        }
      }),
      { seed, numRuns: runs },
    );
  } finally {
    redis.disconnect();
  }
  reportFuzz('tweet ids (Redis leases)', runs, `${leases} leases, ${givenBack} given back, no id twice`);
});

test("a run's quota keys live RUN_KEY_TTL_SEC from a producer's first lease (renewed every 64 after)", async () => {
  const redis = await connectRedis(redisUrl());
  try {
    const id = runId('ttl');
    const q = new Quota(redis, id, undefined, '');
    await q.lease(10, 'p0', 0);
    await q.lease(10, 'p0', 1);
    const keys = runKeys(id);
    const all = [keys.issued, keys.start, keys.leases, keys.lastLease, keys.nextId];
    for (const key of all) {
      const ttl = await redis.ttl(key);
      assert.ok(ttl > RUN_KEY_TTL_SEC - 60 && ttl <= RUN_KEY_TTL_SEC, `${key}: ttl ${ttl}`);
    }
    // A run as long as its keys' lifetime: with a second left on each, the next renewing lease gives them a new one,
    // the start with the rest (an expired start would be set again and the schedule would restart from it).
    const { startMs } = await q.lease(10, 'p0', 2);
    for (const key of all) await redis.expire(key, 1);
    for (let no = 3; no <= 64; no++) await q.lease(10, 'p0', no);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const key of all) assert.ok((await redis.ttl(key)) > RUN_KEY_TTL_SEC - 60, `${key} renewed`);
    const later = await q.lease(10, 'p0', 65);
    assert.equal(later.startMs, startMs, 'the run keeps its start');
    assert.equal(later.first, 650, 'and its count');
  } finally {
    redis.disconnect();
  }
});
