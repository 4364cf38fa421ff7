/**
 * --find-max for an instance of a run of several (--instances): every instance judges each step on the run's merged
 * figures (what every instance published, storm/instance-publisher.ts, summed per second since the run's start), not
 * on its own share. The first instance to see a step fail writes the run's steps to Redis and every other instance
 * takes them from there, so all stop on the same step with the same answer.
 */
import type { Redis } from 'ioredis';
import { readInstanceRecords } from '../coord/instance-records.js';
import { RUN_KEY_TTL_SEC, runKeys } from '../coord/quota.js';
import type { InstanceRecord } from '../report/merged-report.js';
import type { StepResult } from '../scenario/find-max.js';
import type { SecondFigures, StepJudge } from './step-judge.js';

/**
 * A step is judged once every running instance has published past its end by this much (a child's tick of a second
 * reaches its instance's record within it): each record says how far it had come when it was written.
 */
const PUBLISHED_SETTLE_MS = 1500;
/** An instance that stops publishing (lost, stalled) holds the judges back this long at most. */
const MAX_WAIT_MS = 10_000;
/** The step judge's own settle for instances: none, the wait above does it. */
export const MERGED_SETTLE_MS = 0;
/** At the end, how long to wait for the other instances' last seconds before judging the last step. */
const FINAL_WAIT_MS = 10_000;

const endedKey = (runId: string) => `${runKeys(runId).prefix}find-max-steps`;

export class InstanceJudge {
  /** A look at Redis is under way (looks are once a second; a slow one is not stacked). */
  private looking = false;

  constructor(
    private readonly redis: Redis,
    private readonly runId: string,
    private readonly judge: StepJudge,
  ) {}

  /**
   * Judges the steps that ended on the run's merged figures; the failed step when the run's find-max ended (here or in
   * another instance), undefined otherwise.
   */
  async step(nowMs: number, startMs: number): Promise<StepResult | undefined> {
    if (this.looking) return undefined;
    this.looking = true;
    try {
      const ended = await this.endedElsewhere();
      if (ended) return ended;
      const records = await readInstanceRecords(this.redis, this.runId);
      this.judge.useMerged(mergedFigures(records), startMs);
      // Judged only as far as every instance's figures are in (or the wait for a silent one ran out).
      const complete = startMs + publishedThroughSec(records) * 1000 - PUBLISHED_SETTLE_MS;
      const failed = this.judge.judge(Math.min(nowMs, Math.max(complete, nowMs - MAX_WAIT_MS)), startMs);
      return failed ? await this.end() : undefined;
    } finally {
      this.looking = false;
    }
  }

  /**
   * The run is over here: waits (bounded) until every instance published its figures through `untilSec` (seconds
   * since the start) or finished, then judges what is left.
   */
  async final(endMs: number, startMs: number, untilSec: number): Promise<void> {
    if (await this.endedElsewhere()) return;
    const deadline = Date.now() + FINAL_WAIT_MS;
    let records = await readInstanceRecords(this.redis, this.runId);
    while (publishedThroughSec(records) < untilSec && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      records = await readInstanceRecords(this.redis, this.runId);
    }
    if (await this.endedElsewhere()) return;
    this.judge.useMerged(mergedFigures(records), startMs);
    if (this.judge.judge(endMs, startMs, true)) await this.end();
  }

  /** The steps another instance ended the run's find-max with, taken as this one's; its failed step. */
  private async endedElsewhere(): Promise<StepResult | undefined> {
    const text = await this.redis.get(endedKey(this.runId));
    if (!text) return undefined;
    this.judge.adopt(JSON.parse(text) as StepResult[]);
    return this.judge.steps[this.judge.steps.length - 1];
  }

  /** This instance saw a step fail: its steps become the run's, unless another instance's came first. */
  private async end(): Promise<StepResult | undefined> {
    const key = endedKey(this.runId);
    await this.redis.set(key, JSON.stringify(this.judge.steps), 'EX', RUN_KEY_TTL_SEC, 'NX');
    return this.endedElsewhere();
  }
}

/** Every record's figures, summed per second since the start (acknowledged), worst of them (p99, behind). */
function mergedFigures(records: InstanceRecord[]): SecondFigures[] {
  const bySecond = new Map<number, SecondFigures>();
  for (const record of records)
    for (const [second, acked, p99, behind] of record.judged ?? []) {
      const row = bySecond.get(second) ?? [second, 0, null, 0];
      row[1] += acked;
      if (p99 !== null) row[2] = Math.max(row[2] ?? 0, p99);
      row[3] = Math.max(row[3], behind);
      bySecond.set(second, row);
    }
  return [...bySecond.values()];
}

/**
 * How far (seconds since the start) every instance index has published: a running process as far as its last record,
 * a finished one all; a killed or lost one nothing more, until its successor's record says more. The live judge waits
 * for it (bounded by MAX_WAIT_MS) and so does the final one (bounded by FINAL_WAIT_MS).
 */
function publishedThroughSec(records: InstanceRecord[]): number {
  const instances = records[0]?.instances ?? 0;
  const byIndex = new Map<number, number>();
  for (const r of records) {
    // A finished process has published all; a running one as far as its last record; a killed or lost one nothing
    // more (its successor's record, if any, says how far the index has come).
    const through =
      r.state === 'done' || r.state === 'failed' ? Number.POSITIVE_INFINITY : r.state === 'running' ? r.elapsedSec : 0;
    byIndex.set(r.index, Math.max(byIndex.get(r.index) ?? 0, through));
  }
  if (byIndex.size < instances) return 0;
  return Math.min(...byIndex.values());
}
