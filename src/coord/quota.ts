/**
 * The global quota: one Redis counter of slices issued per run, shared by every child of every storm process that
 * names the same run. A lease takes up to `want` messages, bounded by
 *   - the exact count:  issued never exceeds --count;
 *   - the open-loop schedule:  by time t after the run's start, at most floor(S(t)) may be issued, S the integral of
 *     the run's rate shape (scenario/schedule.ts; constant, stages, sine, find-max's staircase) on absolute time, so
 *     a child that fell behind catches up in chunks instead of silently lowering the rate, and every child of every
 *     process follows one shape.
 * Redis' own clock (TIME) is the one clock, so processes on the same Redis agree. The run starts at its first lease,
 * or at the instant instances of a run agreed on (coord/instances.ts): a lease before it gets nothing and learns how
 * long to wait (a negative elapsed time).
 * A lease returns the slice's first index in the count (where the schedule places it) and its first tweet id. They
 * are equal until a slice is given back (a dead child's unsettled slice, failed deliveries under --count): the count
 * goes back so the run still reaches it, the ids never do. The given-back tweets may have reached the topic all the
 * same (a child killed after sending, a delivery that timed out at the client but was appended), so the slice issued
 * again gets ids no tweet of the run had: ids stay unique across the run.
 * Leases are idempotent per (producer, lease number): a lease whose reply was lost (a command timeout while Redis was
 * frozen, which Redis then ran anyway) is asked again with the same number and returns the same slice, so no slice
 * is issued to nobody and an exact --count stays exact across Redis blips.
 */
import type { Redis } from 'ioredis';
import { DataStormError } from '../errors.js';
import { SCHEDULE_LUA } from '../scenario/schedule.js';

/**
 * A producer renews the run keys' lifetime on its first lease and every this many after (not on every lease: Redis
 * runs a few commands per lease, and a full-speed child leases dozens of times a second). The start is renewed with
 * the rest: a start that expired under a long run would be set again at the next lease, and the schedule, counted
 * from it, would then allow nothing until it caught up with what was issued: the run would stall.
 */
const TTL_EVERY_LEASES = 64;

const LEASE = `${SCHEDULE_LUA}
local issued = redis.call('GET', KEYS[1])
if ARGV[5] == '1' and not issued then return {-1, 0, 0, -1, 0, 0} end
issued = tonumber(issued or '0')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local start = tonumber(redis.call('GET', KEYS[2]))
if not start then start = now; redis.call('SET', KEYS[2], now, 'EX', ARGV[7]) end
if now < start then return {issued, 0, now - start, 0, start, 0} end
local want = tonumber(ARGV[1]); local count = tonumber(ARGV[2])
local allowed = -1
if ARGV[3] ~= '' then allowed = math.floor(scheduled(ARGV[3], now - start) + 1e-6) end
local last = redis.call('HGET', KEYS[4], ARGV[4])
if last then
  local s, f, g, id = string.match(last, '^(%d+):(%d+):(%d+):(%d+)$')
  if s == ARGV[6] then return {tonumber(f), tonumber(g), now - start, allowed, start, tonumber(id)} end
end
local id = tonumber(redis.call('GET', KEYS[5]) or issued)
local grant = want
if count >= 0 and count - issued < grant then grant = count - issued end
if allowed >= 0 and allowed - issued < grant then grant = allowed - issued end
if grant < 0 then grant = 0 end
if grant > 0 then
  redis.call('INCRBY', KEYS[1], grant)
  redis.call('SET', KEYS[5], id + grant, 'KEEPTTL')
  redis.call('HINCRBY', KEYS[3], ARGV[4], grant)
  redis.call('HSET', KEYS[4], ARGV[4], ARGV[6] .. ':' .. issued .. ':' .. grant .. ':' .. id)
  if tonumber(ARGV[6]) % ${TTL_EVERY_LEASES} == 0 then
    for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ARGV[7]) end
  end
end
return {issued, grant, now - start, allowed, start, id}
`;

/** Gives back a slice a dead child leased but never saw acknowledged, so the run still reaches its count. */
const GIVE_BACK = `
local issued = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = tonumber(ARGV[1])
if n > issued then n = issued end
redis.call('DECRBY', KEYS[1], n)
return n
`;

export interface Lease {
  /** The slice's first index in the count: where the schedule places it. */
  first: number;
  /** The slice's first tweet id (unique across the run, even after give-backs). */
  firstId: number;
  /** Messages granted (0: count reached, or ahead of the schedule). */
  granted: number;
  /** Milliseconds since the run's start, by Redis' clock (negative before an agreed start: wait that long). */
  elapsedMs: number;
  /** Messages the schedule allows by now (-1 when the rate is unlimited). */
  allowed: number;
  /** The run's start, Unix ms by Redis' clock: one number for every process of the run. */
  startMs: number;
}

/**
 * Every key of a run expires this long after its last write: a run's quota and counters outlive any storm (and a
 * later verify or a second process joining it), and a forgotten run does not stay in Redis for ever.
 */
export const RUN_KEY_TTL_SEC = 86_400;

export function runKeys(runId: string) {
  const p = `datastorm:run:${runId}:`;
  return {
    issued: `${p}issued`,
    start: `${p}start`,
    counters: `${p}counters`,
    leases: `${p}leases`,
    lastLease: `${p}last-lease`,
    /** The next tweet id: only ever grows (a slice given back is issued again under new ids). */
    nextId: `${p}next-id`,
    /** Per producer, what it settled: `acked:ID`, `failed:ID` (coord/counters.ts). */
    settled: `${p}settled`,
    /** Per producer of a dead instance process, what its successor gave back (coord/instances.ts). */
    givenBack: `${p}given-back`,
    prefix: p,
  };
}

export class Quota {
  private readonly keys: ReturnType<typeof runKeys>;
  constructor(
    private readonly redis: Redis,
    private readonly runId: string,
    private readonly count: number | undefined,
    /** The rate shape's schedule (scenario/schedule.ts encodeSchedule); '' = as fast as possible. */
    private readonly schedule: string,
  ) {
    this.keys = runKeys(runId);
  }

  /**
   * Leases up to `want` messages for `producerId` (leases are also summed per producer, for give-backs). `leaseNo`
   * numbers the producer's leases: ask again with the same number after a failed call, the next one after a reply.
   */
  async lease(want: number, producerId: string, leaseNo: number): Promise<Lease> {
    const k = this.keys;
    const r = (await this.redis.eval(
      LEASE,
      5,
      k.issued,
      k.start,
      k.leases,
      k.lastLease,
      k.nextId,
      want,
      this.count ?? -1,
      this.schedule,
      producerId,
      leaseNo > 0 ? 1 : 0,
      leaseNo,
      RUN_KEY_TTL_SEC,
    )) as number[];
    // A producer that leased before finds no quota: Redis came back empty (restarted without persistence, flushed).
    // Starting the count again would overshoot --count, so this ends the run.
    if (Number(r[0]) === -1)
      throw new DataStormError(
        'REDIS_UNREACHABLE',
        `Redis lost run ${this.runId}'s quota (restarted without its data?); stopped producing and flushed what was ` +
          `in flight`,
      );
    const [first, granted, elapsedMs, allowed, startMs, firstId] = r.map(Number);
    return { first, granted, elapsedMs, allowed, startMs, firstId };
  }

  async giveBack(n: number): Promise<number> {
    if (n <= 0) return 0;
    return Number(await this.redis.eval(GIVE_BACK, 1, this.keys.issued, n));
  }

  /** Everything a producer has leased, exactly (the primary's view from ticks can lag by one interval). */
  async leasedBy(producerId: string): Promise<number> {
    return Number((await this.redis.hget(this.keys.leases, producerId)) ?? 0);
  }

  async issued(): Promise<number> {
    return Number((await this.redis.get(this.keys.issued)) ?? 0);
  }
}

/**
 * Chunk a child leases at once: a fiftieth of a second of its share of the rate now, at most one batch. Small enough
 * that each second's count follows a changing rate within a few percent, big enough to keep Redis calls cheap.
 */
export function leaseChunk(batchSize: number, rate: number, workers: number): number {
  if (!Number.isFinite(rate)) return batchSize;
  return Math.max(1, Math.min(batchSize, Math.floor(rate / workers / 50)));
}
