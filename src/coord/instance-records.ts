/**
 * Where the instances of a run publish what they did (report/merged-report.ts InstanceRecord): one field per instance
 * process in one hash, rewritten whole about once a second while it runs and once at its end, so Redis sees one write
 * a second per instance whatever the message rate, and a reader merges them at any time. A restarted instance is a
 * new process with a field of its own: what the one before it published stays counted.
 */
import type { Redis } from 'ioredis';
import type { InstanceRecord } from '../report/merged-report.js';
import { RUN_KEY_TTL_SEC, runKeys } from './quota.js';

const recordsKey = (runId: string) => `${runKeys(runId).prefix}instance-records`;

export async function publishInstanceRecord(redis: Redis, runId: string, record: InstanceRecord): Promise<void> {
  const key = recordsKey(runId);
  await redis.multi().hset(key, record.id, JSON.stringify(record)).expire(key, RUN_KEY_TTL_SEC).exec();
}

/** Every record the run's instances published, by index then start; empty when none did. */
export async function readInstanceRecords(redis: Redis, runId: string): Promise<InstanceRecord[]> {
  const fields = await redis.hvals(recordsKey(runId));
  return fields
    .map((text) => JSON.parse(text) as InstanceRecord)
    .sort((a, b) => a.index - b.index || a.updatedAtMs - b.updatedAtMs);
}
