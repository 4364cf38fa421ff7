/**
 * The storm's reader phases, around production: start the readers (each group's start committed at the topic's end,
 * every partition assigned) before anything is written, and drain them after, until each group has read all the run
 * wrote (bounded by --drain-timeout).
 */
import { ReaderFleet } from '../readers/reader-fleet.js';
import type { Phase } from '../run/run-engine.js';
import { decodeSchedule, isUnlimited, timeOfIndex } from '../scenario/schedule.js';
import type { StormOptions } from './options.js';
import type { RunTotals } from './report-builder.js';
import type { StormContext } from './storm-phases.js';

/** Intended times are tabled this far when the run has neither a count nor a duration. */
const OPEN_HORIZON_MS = 86_400_000;

export function startReaders(warn: (m: string) => void, made: (fleet: ReaderFleet) => void): Phase<StormContext> {
  return {
    name: 'start readers',
    async run(c) {
      const o = c.options;
      if (!o.readers || !c.topic) return;
      const tweets = c.schema?.kind === 'tweet';
      const fleet = new ReaderFleet(
        o.readers,
        {
          bootstrap: o.bootstrap,
          client: { ...o.client, ...o.readers.client },
          topic: c.topic.name,
          runId: o.runId,
          redis: o.redis,
          redisCa: o.redisCa,
          schedule: o.shape.schedule,
          horizonMs: horizonMs(o),
          warmupSec: o.warmup,
          tweetFraming: tweets ? (o.registry ? 5 : 0) : null,
          series: o.ombResult !== undefined,
        },
        warn,
      );
      c.readers = fleet;
      made(fleet);
      await fleet.start({ bootstrap: o.bootstrap, client: o.client }, c.topic);
    },
  };
}

/**
 * --backlog: once a second, whether what was acknowledged reached the backlog asked for; then the readers read it
 * while production goes on.
 */
export function backlogObserver(readers: () => ReaderFleet | undefined, totals: () => RunTotals) {
  return {
    tick: () => {
      const fleet = readers();
      const backlog = fleet?.options.backlog;
      if (!fleet?.paused || !backlog) return;
      const t = totals();
      const acknowledged = t.acked + t.warmup.acked;
      const bytes = t.bytes + t.warmup.bytes;
      if (acknowledged >= (backlog.messages ?? 0) && bytes >= (backlog.bytes ?? 0)) fleet.resume(acknowledged, bytes);
    },
  };
}

export const drainReaders: Phase<StormContext> = {
  name: 'drain readers',
  async run(c) {
    if (!c.readers || !c.topic) return;
    await c.readers.drain({ bootstrap: c.options.bootstrap, client: c.options.client }, c.topic);
  },
};

/** How far the schedule's intended times need tabling: the run's duration, or the time of its last message. */
function horizonMs(o: StormOptions): number {
  const schedule = decodeSchedule(o.shape.schedule);
  if (isUnlimited(schedule)) return 0;
  if (o.duration !== undefined) return o.duration * 1000 + 1000;
  if (o.count !== undefined) return Math.min(OPEN_HORIZON_MS, timeOfIndex(schedule, o.count - 1) + 1000);
  return OPEN_HORIZON_MS;
}
