/**
 * Instances of one run: N storm processes, on one host or many, that give the same --run-id and --instances N on one
 * Redis. Each joins the run's hash of instances (index → who); the join that completes the set fixes the run's start
 * by Redis' clock, START_MARGIN_MS ahead (time for every instance to fork and connect its children), as the schedule's
 * start key (coord/quota.ts), and every child's first lease waits for that instant: all instances start together.
 * An instance missing past --barrier-timeout fails the run for every instance (exit 4): the first to time out marks
 * the run, the others read the mark, and one that comes later finds it. An instance that joins after the start (one
 * restarted with its index) joins the running run.
 *
 *   --instances N        1 to 1000, with --run-id
 *   --instance I         0 to N-1; else $JOB_COMPLETION_INDEX (what a Kubernetes Indexed Job sets)
 *   --barrier-timeout S  seconds to wait for the others (default 60)
 */
import os from 'node:os';
import type { Redis } from 'ioredis';
import { DataStormError } from '../errors.js';
import type { OptionChecks, RawFlags } from '../option-checks.js';
import { RUN_KEY_TTL_SEC, runKeys } from './quota.js';

export interface Instances {
  count: number;
  index: number;
  barrierTimeoutSec: number;
}

export const MAX_INSTANCES = 1000;
export const DEFAULT_BARRIER_TIMEOUT_SEC = 60;
/** How far ahead of the last join the run starts: an instance forks, connects and prepares its children meanwhile. */
export const START_MARGIN_MS = 2000;
/** How often a waiting instance asks Redis whether the others came. */
const POLL_MS = 100;
const INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** The instance flags, checked; undefined for a run of one process (no --instances). */
export function parseInstances(
  c: OptionChecks,
  raw: RawFlags,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Instances | undefined {
  if (raw.instances === undefined) {
    if (raw.instance !== undefined) c.add('--instance needs --instances N (how many instances the run has)');
    if (raw['barrier-timeout'] !== undefined) c.add('--barrier-timeout needs --instances N');
    return undefined;
  }
  const count = c.whole('instances', raw.instances, 1, MAX_INSTANCES);
  const timeout = c.whole('barrier-timeout', raw['barrier-timeout'], 1, 3600, 'whole number of seconds, 1 to 3600');
  if (count !== undefined && count > 1 && raw['run-id'] === undefined)
    c.add('--instances needs --run-id NAME: the name every instance of the run gives');
  const fromEnv = raw.instance === undefined && env[INDEX_ENV] !== undefined;
  const given = raw.instance ?? env[INDEX_ENV] ?? (count === 1 ? '0' : undefined);
  if (given === undefined) {
    c.add(`--instances ${count ?? '…'} needs --instance I (0 to N-1), or ${INDEX_ENV} (an Indexed Job sets it)`);
    return undefined;
  }
  const last = Math.max(0, (count ?? MAX_INSTANCES) - 1);
  const index = fromEnv ? indexFromEnv(c, String(given), last) : c.whole('instance', given, 0, last);
  if (count === undefined || index === undefined) return undefined;
  return { count, index, barrierTimeoutSec: timeout ?? DEFAULT_BARRIER_TIMEOUT_SEC };
}

function indexFromEnv(c: OptionChecks, value: string, last: number): number | undefined {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n) && n <= last) return n;
  c.add(`${INDEX_ENV} must be a whole number from 0 to ${last}, this instance's index (got '${value}')`);
  return undefined;
}

export const instanceKeys = (runId: string) => {
  const p = runKeys(runId).prefix;
  return { joined: `${p}instances`, failed: `${p}instances-failed`, finished: `${p}instances-finished` };
};

/**
 * One look at the barrier, atomic: joins (idempotent), and answers {state, start or joined, now}. state 1: started
 * (start = the run's start, Redis ms); 0: waiting (joined so far); -1: the run failed (the reason).
 */
const JOIN = `
local failed = redis.call('GET', KEYS[3])
if failed then return {-1, failed, 0} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]); redis.call('EXPIRE', KEYS[1], ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local start = redis.call('GET', KEYS[2])
if start then return {1, start, now} end
local joined = redis.call('HLEN', KEYS[1])
if joined >= tonumber(ARGV[3]) then
  start = now + tonumber(ARGV[4])
  redis.call('SET', KEYS[2], start, 'EX', ARGV[5])
  return {1, tostring(start), now}
end
return {0, tostring(joined), now}
`;

export interface Joined {
  /** The run's start by Redis' clock (Unix ms). */
  startAtMs: number;
  /** How long this instance waited at the barrier. */
  waitedSec: number;
  /** It came after the start: it joined the running run (a restarted instance). */
  rejoined: boolean;
}

/** Joins the run and waits at its barrier until every instance came (or one is missing past the timeout). */
export async function joinRun(
  redis: Redis,
  runId: string,
  instances: Instances,
  onWait?: (joined: number) => void,
): Promise<Joined> {
  const keys = instanceKeys(runId);
  const start = runKeys(runId).start;
  const who = JSON.stringify({ host: os.hostname(), pid: process.pid, at: Date.now() });
  const began = Date.now();
  const deadline = began + instances.barrierTimeoutSec * 1000;
  for (let first = true; ; first = false) {
    const [state, value, now] = (await redis.eval(
      JOIN,
      3,
      keys.joined,
      start,
      keys.failed,
      instances.index,
      who,
      instances.count,
      START_MARGIN_MS,
      RUN_KEY_TTL_SEC,
    )) as [number, string, number];
    if (state === -1) throw new DataStormError('RUN_INCOMPLETE', value);
    if (state === 1) {
      const startAtMs = Number(value);
      return { startAtMs, waitedSec: (Date.now() - began) / 1000, rejoined: first && Number(now) > startAtMs };
    }
    onWait?.(Number(value));
    const failure = Date.now() >= deadline ? await failRun(redis, runId, instances) : undefined;
    if (failure) throw failure;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Marks the run failed for every instance (the first mark stays), naming the instances that never came; undefined
 * when the last one came meanwhile (the next look at the barrier starts the run).
 */
async function failRun(redis: Redis, runId: string, instances: Instances): Promise<DataStormError | undefined> {
  const keys = instanceKeys(runId);
  const came = new Set((await redis.hkeys(keys.joined)).map(Number));
  const missing = [...Array(instances.count).keys()].filter((i) => !came.has(i));
  if (missing.length === 0) return undefined;
  const reason =
    `run ${runId}: instance(s) ${missing.join(', ')} of ${instances.count} did not join within ` +
    `${instances.barrierTimeoutSec} s (--barrier-timeout); no instance started`;
  await redis.set(keys.failed, reason, 'EX', RUN_KEY_TTL_SEC, 'NX');
  return new DataStormError('RUN_INCOMPLETE', (await redis.get(keys.failed)) ?? reason);
}

/** Why the run failed at its barrier, when it did. */
export const runFailure = async (redis: Redis, runId: string): Promise<string | null> =>
  redis.get(instanceKeys(runId).failed);

/** This instance finished: true when it is the last of the run's instances to finish. */
export async function finishInstance(redis: Redis, runId: string, instances: Instances): Promise<boolean> {
  const key = instanceKeys(runId).finished;
  const replies = await redis.multi().sadd(key, instances.index).expire(key, RUN_KEY_TTL_SEC).scard(key).exec();
  return Number(replies?.[2]?.[1] ?? 0) >= instances.count;
}

/**
 * How long an instance process holds its index without a word: longer than a child rides out a lost Redis
 * (storm/quota-leaser.ts REDIS_GRACE_MS), so a process cut off from Redis has stopped leasing before another process
 * takes its index and gives back its slices.
 */
export const HOLD_MS = 6000;
const HOLD_EVERY_MS = 1000;

/** Takes or keeps the index for this process: {'', 0} when it holds it, else {who does, ms left of its hold}. */
const HOLD = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return {holder, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {'', 0}
`;

const holdKey = (runId: string, index: number) => `${runKeys(runId).prefix}instance-hold:${index}`;

/** Who holds an instance's index now (the process id in its record), for a reader of the records. */
export async function indexHolders(redis: Redis, runId: string, indexes: number[]): Promise<(string | null)[]> {
  if (indexes.length === 0) return [];
  const values = await redis.mget(indexes.map((i) => holdKey(runId, i)));
  return values.map((v) => (v ? (JSON.parse(v) as { id: string }).id : null));
}

/**
 * One process per index: a process holds its index while it lives (renewed every second), a restarted one takes it
 * once the one before went silent for HOLD_MS, and a second live process with the same index is refused.
 */
export class IndexHold {
  private timer?: NodeJS.Timeout;
  private readonly key: string;
  private readonly who: string;

  constructor(
    private readonly redis: Redis,
    private readonly runId: string,
    private readonly index: number,
    /** This process's id (its instance record's). */
    readonly processId: string,
  ) {
    this.key = holdKey(runId, index);
    this.who = JSON.stringify({ id: processId, host: os.hostname(), pid: process.pid });
  }

  /**
   * Takes the index, waiting out a silent predecessor (a killed process's hold lapses within HOLD_MS); refuses as soon
   * as the holder renews its hold (it lives).
   */
  async take(): Promise<void> {
    const deadline = Date.now() + HOLD_MS + 2 * HOLD_EVERY_MS;
    let leftBefore = Number.POSITIVE_INFINITY;
    for (;;) {
      const [holder, left] = (await this.redis.eval(HOLD, 1, this.key, this.who, HOLD_MS)) as [string, number];
      if (holder === '') break;
      if (left > leftBefore || Date.now() >= deadline) throw this.heldBy(holder);
      leftBefore = left;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    this.timer = setInterval(() => this.renew(), HOLD_EVERY_MS);
    this.timer.unref();
  }

  /** Ended: the index is free for nobody to wait on. */
  async release(): Promise<void> {
    clearInterval(this.timer);
    const mine = await this.redis.get(this.key).catch(() => null);
    if (mine === this.who) await this.redis.del(this.key).catch(() => undefined);
  }

  private renew(): void {
    // A process silent past HOLD_MS finds its successor holding the index and leaves it (its leases gave up by then).
    // A renewal that fails is tried again in a second; HOLD_MS allows several to fail.
    this.redis.eval(HOLD, 1, this.key, this.who, HOLD_MS).catch(() => undefined);
  }

  private heldBy(holder: string): DataStormError {
    const { host, pid } = JSON.parse(holder) as { host: string; pid: number };
    return new DataStormError(
      'INVALID_OPTION',
      `--instance ${this.index}: run ${this.runId}'s instance ${this.index} is already running (host ${host}, ` +
        `pid ${pid}); every instance needs its own index`,
    );
  }
}

/**
 * Gives back, for every producer of the index's earlier processes, what it leased and never settled (once: the
 * given-back hash remembers), and answers per producer: {id, acked, failed, givenBack}.
 */
const TAKE_OVER = `
local out = {}
for _, p in ipairs(redis.call('HKEYS', KEYS[2])) do
  if string.sub(p, 1, #ARGV[1]) == ARGV[1] and string.sub(p, 1, #ARGV[2]) ~= ARGV[2] then
    local acked = tonumber(redis.call('HGET', KEYS[3], 'acked:' .. p) or '0')
    local failed = tonumber(redis.call('HGET', KEYS[3], 'failed:' .. p) or '0')
    local back = tonumber(redis.call('HGET', KEYS[4], p) or '-1')
    if back < 0 then
      back = tonumber(redis.call('HGET', KEYS[2], p)) - acked - failed
      local issued = tonumber(redis.call('GET', KEYS[1]) or '0')
      if back < 0 then back = 0 end
      if back > issued then back = issued end
      redis.call('DECRBY', KEYS[1], back)
      redis.call('HSET', KEYS[4], p, back); redis.call('EXPIRE', KEYS[4], ARGV[3])
    end
    table.insert(out, p); table.insert(out, acked); table.insert(out, failed); table.insert(out, back)
  end
end
return out
`;

export interface Predecessor {
  /** The earlier process (its instance record's id). */
  processId: string;
  acked: number;
  failed: number;
  givenBack: number;
}

export interface TakeOver {
  /** The earlier processes of this index, with what their producers settled and what went back to the quota. */
  predecessors: Predecessor[];
  /** Where this process's incarnations start: after every earlier one, so verify sees its producers replace theirs. */
  incarnationBase: number;
}

/**
 * Run by a process once it holds its index: what the index's earlier processes (killed, lost) leased and never
 * settled goes back to the quota, so the run still ends on its count.
 */
export async function takeOverIndex(redis: Redis, runId: string, index: number, processId: string): Promise<TakeOver> {
  const keys = runKeys(runId);
  const reply = (await redis.eval(
    TAKE_OVER,
    4,
    keys.issued,
    keys.leases,
    keys.settled,
    keys.givenBack,
    `${runId}/i${index}-`,
    `${runId}/${processId}.`,
    RUN_KEY_TTL_SEC,
  )) as (string | number)[];
  const byProcess = new Map<string, Predecessor>();
  let incarnationBase = 0;
  for (let i = 0; i < reply.length; i += 4) {
    const m = /^.*\/(i\d+-[0-9a-f]+)\.p\d+\.(\d+)$/.exec(String(reply[i]));
    if (!m) continue;
    incarnationBase = Math.max(incarnationBase, Number(m[2]) + 1);
    const p = byProcess.get(m[1]) ?? { processId: m[1], acked: 0, failed: 0, givenBack: 0 };
    p.acked += Number(reply[i + 1]);
    p.failed += Number(reply[i + 2]);
    p.givenBack += Number(reply[i + 3]);
    byProcess.set(m[1], p);
  }
  return { predecessors: [...byProcess.values()], incarnationBase };
}
