/**
 * Global counters of a run in one Redis hash: children add their per-interval deltas (a few calls per second). Beside
 * them, in the same transaction, what each producer settled (acknowledged, failed): whoever takes over a dead
 * process's slices (coord/instances.ts) gives back exactly what it leased and the counters never saw settled.
 */
import type { Redis } from 'ioredis';
import { RUN_KEY_TTL_SEC, runKeys } from './quota.js';

export interface CounterDelta {
  acked: number;
  bytes: number;
  failed: number;
  positive: number;
  negative: number;
  neutral: number;
}

export class Counters {
  private readonly key: string;
  private readonly settledKey: string;
  constructor(
    private readonly redis: Redis,
    runId: string,
    /** The producer whose deltas these are (none for a reader). */
    private readonly producerId?: string,
  ) {
    this.key = runKeys(runId).counters;
    this.settledKey = runKeys(runId).settled;
  }
  async add(d: CounterDelta): Promise<void> {
    const m = this.redis.multi();
    for (const [k, v] of Object.entries(d)) if (v) m.hincrby(this.key, k, v);
    m.expire(this.key, RUN_KEY_TTL_SEC);
    if (this.producerId !== undefined && (d.acked || d.failed)) {
      if (d.acked) m.hincrby(this.settledKey, `acked:${this.producerId}`, d.acked);
      if (d.failed) m.hincrby(this.settledKey, `failed:${this.producerId}`, d.failed);
      m.expire(this.settledKey, RUN_KEY_TTL_SEC);
    }
    await m.exec();
  }
  async read(): Promise<CounterDelta> {
    const h = await this.redis.hgetall(this.key);
    const n = (k: string) => Number(h[k] ?? 0);
    return {
      acked: n('acked'),
      bytes: n('bytes'),
      failed: n('failed'),
      positive: n('positive'),
      negative: n('negative'),
      neutral: n('neutral'),
    };
  }
}
