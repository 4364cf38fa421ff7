/** Redis connection that fails fast: an unreachable Redis is a REDIS_UNREACHABLE error within seconds, never a hang. */
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { DataStormError } from '../errors.js';

export const REDIS_CONNECT_TIMEOUT_MS = 4000;

/** What is wrong with a --redis URL, or undefined when it is one (pure: option validation uses it too). */
/** A Redis URL as lines and reports may show it: its password as ***. */
export function displayRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

export function redisUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `--redis must be a URL like redis://127.0.0.1:6379 (got '${displayRedisUrl(url)}')`;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return `--redis must be a redis:// or rediss:// URL (got '${displayRedisUrl(url)}')`;
  return undefined;
}

/** What a --redis-ca file must be, or undefined when it is one (and the URL speaks TLS). */
export function redisCaProblem(caFile: string, url: string): string | undefined {
  if (!url.startsWith('rediss://')) return `--redis-ca needs a rediss:// --redis URL (got '${displayRedisUrl(url)}')`;
  try {
    if (fs.statSync(caFile).isFile()) return undefined;
  } catch {}
  return `--redis-ca must be a PEM file of the CA that signed Redis' certificate (got '${caFile}')`;
}

/** Connects to the run's Redis; `caFile`: the PEM CA a rediss:// Redis' certificate is checked against. */
export async function connectRedis(url: string, caFile?: string): Promise<Redis> {
  const problem = redisUrlProblem(url);
  if (problem) throw new DataStormError('INVALID_OPTION', problem);
  const redis = new Redis(url, {
    ...(caFile ? { tls: { ca: fs.readFileSync(caFile) } } : {}),
    lazyConnect: true,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 2,
    // A frozen or half-dead Redis fails a command instead of hanging it; callers decide how long to keep trying.
    commandTimeout: 2000,
    enableOfflineQueue: true,
    // During a run a short outage is retried; the first connection is not (see below).
    retryStrategy: (times) => (times > 20 ? null : Math.min(times * 100, 1000)),
  });
  redis.on('error', () => undefined); // reported through the failing commands
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), REDIS_CONNECT_TIMEOUT_MS + 500)),
    ]);
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new DataStormError(
      'REDIS_UNREACHABLE',
      `cannot reach Redis at ${displayRedisUrl(url)} within ${REDIS_CONNECT_TIMEOUT_MS / 1000} s ` +
        `(${(e as Error).message}); start it ` +
        `(scripts/redis.sh up) or check --redis`,
    );
  }
  return redis;
}
