/**
 * The storm's collect phase: the run's report from what production left. Totals are completed from the children's
 * last words, Redis' global counts and the schedule's end; --find-max's last steps are judged; the thresholds are
 * judged on the report's exact figures; an instance of several adds where it stood and, the last to finish, the
 * run's merged report.
 */
import { Counters } from '../coord/counters.js';
import { readersSection } from '../readers/readers-section.js';
import type { StormProgress } from '../report/progress.js';
import type { StormReport } from '../report/storm-report.js';
import { figureOf, STORM_FIGURES } from '../run/figures.js';
import type { LiveGate } from '../run/live-gate.js';
import { judgeAtEnd } from '../thresholds/threshold.js';
import type { FindMaxObserver } from './find-max-observer.js';
import { buildReport } from './report-builder.js';
import type { RunAggregate } from './run-aggregate.js';
import type { Production, StormContext } from './storm-phases.js';
import { timelineOf } from './timeline.js';

/** The parts of the run the report reads. */
export interface CollectedRun {
  agg: RunAggregate;
  liveGate: LiveGate<StormProgress, StormReport>;
  findMax?: FindMaxObserver;
}

export async function collectReport(c: StormContext, run: CollectedRun, production: Production): Promise<StormReport> {
  const { options } = c;
  const totals = run.agg.totals;
  // Statistics count from the end of the warm-up (the run's start by the schedule's clock, plus --warmup), and
  // never from before the run's start: instances of a run wait for their agreed start after producing began.
  const measuredFrom =
    totals.scheduleStartMs !== null
      ? Math.max(production.producingAt, totals.scheduleStartMs + options.warmup * 1000 - performance.timeOrigin)
      : production.producingAt;
  const elapsedSec = Math.max(0.001, (production.endedAt - measuredFrom) / 1000);
  const publish = async () => void (await c.publisher?.publishRunning());
  await run.findMax?.final(performance.timeOrigin + production.endedAt, publish);
  completeTotals(run.agg, production, measuredFrom, elapsedSec);
  const error = production.fatal ? { code: production.fatal.code, message: production.fatal.message } : null;
  const report = buildReport({
    options,
    recordName: c.schema && c.schema.kind !== 'tweet' ? c.schema.name : undefined,
    recordFormat: options.payload ? 'raw bytes' : c.schema?.kind === 'proto' ? 'protobuf' : options.format,
    totals,
    brokers: c.brokers,
    topic: production.topic,
    startedAt: production.startedAt,
    elapsedSec,
    global: c.redis ? await new Counters(c.redis, options.runId).read().catch(() => undefined) : undefined,
    issued: await c.quota?.issued().catch(() => undefined),
    stopped: production.stopRequested && !error && !run.findMax?.ended && !run.liveGate.aborted,
    error,
    steps: run.findMax?.judge.steps,
    maxHeld: run.findMax ? run.findMax.judge.maxHeld() : undefined,
    measuredFromMs: performance.timeOrigin + measuredFrom,
    // The schedule ran until the run's duration, its stop, or its end, whichever came first.
    scheduledUntilMs: Math.min(
      (options.duration ?? Number.POSITIVE_INFINITY) * 1000,
      (production.stoppedAt ?? performance.timeOrigin + production.endedAt) - (totals.scheduleStartMs ?? Number.NaN),
    ),
  });
  if (c.readers) report.readers = readersSection(c.readers, performance.timeOrigin + production.producingAt);
  return withInstances(c, withThresholds(c, run.liveGate, report));
}

/** What the totals learn only at the end: the timeline, the peak, start-up, restarts, memory and CPU. */
function completeTotals(agg: RunAggregate, production: Production, measuredFrom: number, elapsedSec: number): void {
  const totals = agg.totals;
  const timeline = timelineOf(agg.perSecond, performance.timeOrigin + measuredFrom, elapsedSec);
  totals.timeline = timeline.timeline;
  totals.peakRate = timeline.peak ?? totals.acked / elapsedSec;
  totals.startupSec = (production.producingAt - production.forkedAt) / 1000;
  totals.restarts = production.restarts;
  totals.maxRssBytes = agg.slots.map((slot) => slot.maxRssBytes);
  const own = process.cpuUsage();
  totals.cpuSec = (own.user + own.system + totals.childCpuMicros) / 1e6;
  totals.health = agg.health.rows;
}

/** The thresholds judged on the report's exact figures (and the one that stopped the run live, if one did). */
function withThresholds(
  c: StormContext,
  liveGate: LiveGate<StormProgress, StormReport>,
  report: StormReport,
): StormReport {
  const thresholds = c.options.thresholds ?? [];
  if (thresholds.length === 0) return report;
  report.thresholds = judgeAtEnd(thresholds, (t) => figureOf(STORM_FIGURES, t).atEnd(report), liveGate.aborted);
  const stop = liveGate.aborted;
  if (stop)
    report.notes.push(
      `stopped at ${stop.atSec} s by the threshold '${stop.expr}': it failed every second for ${stop.failingSec} s`,
    );
  return report;
}

/** An instance's report says where it stood; the last instance to finish carries the run's merged report. */
async function withInstances(c: StormContext, report: StormReport): Promise<StormReport> {
  if (!c.publisher) return report;
  report.instance = c.publisher.section();
  try {
    const merged = await c.publisher.finish(report);
    if (merged) report.merged = merged;
  } catch (e) {
    report.notes.push(`this instance's final counts did not reach Redis (${(e as Error).message})`);
  }
  return report;
}
