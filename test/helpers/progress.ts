/**
 * Fault injection at progress points, not after fixed sleeps: a test waits until the run under test has reached a
 * point it can see (acknowledgements counted in the run's Redis counters, points acknowledged by InfluxDB), so it
 * holds on a faster or slower machine.
 */
import { Redis } from 'ioredis';
import { Counters } from '../../src/coord/counters.js';
import { pointCount } from './services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the probe's first defined answer (a probe that throws counts as not yet); fails after timeoutMs. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/**
 * Resolves once the storm run's children have reported at least `n` acknowledged (Redis counters); returns the count.
 */
export async function untilAcknowledged(
  redisUrl: string,
  runId: string,
  n: number,
  timeoutMs = 90_000,
): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    const counters = new Counters(redis, runId);
    return await until(
      `run ${runId}: ${n} acknowledged`,
      async () => {
        const { acked } = await counters.read();
        return acked >= n ? acked : undefined;
      },
      timeoutMs,
    );
  } finally {
    redis.disconnect();
  }
}

/** Resolves once the bucket holds at least `n` points of the tweets measurement. */
export async function untilInfluxPoints(bucket: string, n: number, timeoutMs = 90_000): Promise<number> {
  return until(
    `${n} points in ${bucket}`,
    async () => {
      const have = await pointCount(bucket);
      return have >= n ? have : undefined;
    },
    timeoutMs,
  );
}
