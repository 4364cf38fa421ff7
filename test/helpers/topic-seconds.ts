/**
 * Reads a storm's topic back and counts its tweets per second of the run, by each tweet's created_at (when the
 * producer encoded it, right after its lease) against the run's start in Redis: what the shape asked for, checked
 * from the data itself, not from the storm's own counters.
 */
import { Redis } from 'ioredis';
import { runKeys } from '../../src/coord/quota.js';
import { loadTweetType } from '../../src/generate/tweet-encoder.js';
import { TweetReader } from '../../src/generate/tweet-reader.js';
import { readTopic } from '../../src/kafka/read-topic.js';
import { bootstrap, redisUrl } from './services.js';

export async function runStartMs(runId: string): Promise<number> {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  try {
    return Number(await redis.get(runKeys(runId).start));
  } finally {
    redis.disconnect();
  }
}

/** Tweets per whole second since the run's start ([k] counts created_at in [start + k s, start + k + 1 s)). */
export async function tweetsPerSecond(topic: string, runId: string): Promise<{ perSecond: number[]; total: number }> {
  const start = await runStartMs(runId);
  const reader = new TweetReader(loadTweetType(), ['run_id', 'created_at']);
  const perSecond: number[] = [];
  let total = 0;
  await readTopic({
    bootstrap: bootstrap(),
    topic,
    onMessage: (values, s, e) => {
      const t = reader.read(values, s, e);
      if (!t || t.run_id !== runId) return;
      const k = Math.floor((t.created_at - start) / 1000);
      perSecond[k] = (perSecond[k] ?? 0) + 1;
      total++;
    },
  });
  return { perSecond: Array.from(perSecond, (x) => x ?? 0), total };
}

/** Tweet ids of a run's tweets in a topic that more than one tweet carries (every copy after the first counts). */
export async function repeatedIds(topic: string, runId: string): Promise<{ total: number; repeated: number }> {
  const reader = new TweetReader(loadTweetType(), ['run_id', 'producer_id', 'seq', 'id']);
  // id -> the tweet that carried it first (producer and seq): the same tweet read twice (a producer's retry) is one.
  const carriers = new Map<number, string>();
  let total = 0;
  let repeated = 0;
  await readTopic({
    bootstrap: bootstrap(),
    topic,
    onMessage: (values, s, e) => {
      const t = reader.read(values, s, e);
      if (!t || t.run_id !== runId) return;
      total++;
      const carrier = `${t.producer_id}/${t.seq}`;
      const first = carriers.get(t.id);
      if (first === undefined) carriers.set(t.id, carrier);
      else if (first !== carrier) repeated++;
    },
  });
  return { total, repeated };
}
