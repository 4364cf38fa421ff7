/**
 * Where the instances of a run publish what they did (report/merged-report.ts InstanceRecord): one field per instance
 * process in one hash, rewritten whole about once a second while it runs and once at its end, so Redis sees one write
 * a second per instance whatever the message rate, and a reader merges them at any time. A restarted instance is a
 * new process with a field of its own: it rewrites the record of the process before it with what that one's producers
 * settled (coord/instances.ts takeOverIndex), so nothing is counted twice or lost.
 */
import type { Redis } from 'ioredis';
import type { InstanceRecord } from '../report/merged-report.js';
import { indexHolders } from './instances.js';
import { RUN_KEY_TTL_SEC, runKeys } from './quota.js';

const recordsKey = (runId: string) => `${runKeys(runId).prefix}instance-records`;

export async function publishInstanceRecord(redis: Redis, runId: string, record: InstanceRecord): Promise<void> {
  const key = recordsKey(runId);
  await redis.multi().hset(key, record.id, JSON.stringify(record)).expire(key, RUN_KEY_TTL_SEC).exec();
}

/**
 * Every record the run's instances published, by index then start; empty when none did. A record still running whose
 * process no longer holds its index reads as lost.
 */
export async function readInstanceRecords(redis: Redis, runId: string): Promise<InstanceRecord[]> {
  const records = (await redis.hvals(recordsKey(runId))).map((text) => JSON.parse(text) as InstanceRecord);
  const running = records.filter((r) => r.state === 'running');
  const holders = await indexHolders(
    redis,
    runId,
    running.map((r) => r.index),
  );
  running.forEach((r, i) => {
    if (holders[i] !== r.id) r.state = 'lost';
  });
  return records.sort((a, b) => a.index - b.index || a.updatedAtMs - b.updatedAtMs);
}

/** One process's record by its id (null when it published none). */
export async function readInstanceRecord(redis: Redis, runId: string, id: string): Promise<InstanceRecord | null> {
  const text = await redis.hget(recordsKey(runId), id);
  return text ? (JSON.parse(text) as InstanceRecord) : null;
}
