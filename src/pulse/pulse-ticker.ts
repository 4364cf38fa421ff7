/**
 * A pulse child's once-a-second report to the primary: what it consumed and wrote this interval, what it could not
 * decode, when it was busy, its sink's retries and errors, and its lag per partition it owns.
 */

import type { InfluxSink } from '../influx/influx-sink.js';
import type { DeadLetter } from '../kafka/dead-letter.js';
import { routeClientLog } from '../kafka/native/client-log.js';
import { ValueCounts } from '../measure/value-counts.js';
import { CHILD_TICK_MS, type PulseTick } from './protocol.js';

export class PulseTally {
  consumed = 0;
  points = 0;
  /** Tweets whose created_at InfluxDB cannot store (pulse/points.ts storable). */
  unstorable = 0;
  /** Per partition. */
  undecodable: Record<number, number> = {};
  bySentiment: [number, number, number] = [0, 0, 0];
  /** Ages in ms, from created_at to InfluxDB's acknowledgement, of the tweets acknowledged this interval. */
  readonly freshness = new ValueCounts();
  /** Wall-clock ms: when this interval's first batch of tweets arrived and its last was done. */
  activeFrom: number | undefined;
  activeTo: number | undefined;

  undecodableAt(partition: number): void {
    this.undecodable[partition] = (this.undecodable[partition] ?? 0) + 1;
  }

  reset(): void {
    this.consumed = 0;
    this.points = 0;
    this.unstorable = 0;
    this.undecodable = {};
    this.bySentiment = [0, 0, 0];
    this.freshness.reset();
    this.activeFrom = this.activeTo = undefined;
  }
}

export interface PulseTickerParts {
  slot: number;
  sink: InfluxSink;
  deadLetter: DeadLetter | undefined;
  /** The lag per owned partition now. */
  lag: () => Record<number, number>;
  send: (tick: PulseTick) => void;
}

export class PulseTicker {
  readonly tally = new PulseTally();
  /** The sink's and dead letter's cumulative counts at the last tick. */
  private reported = { retries: 0, writeErrors: 0, deadLettered: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly parts: PulseTickerParts) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), CHILD_TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  tick(): void {
    const { parts, tally } = this;
    const sinkStats = parts.sink.stats;
    const deadLettered = parts.deadLetter?.copied ?? 0;
    parts.send({
      t: 'tick',
      slot: parts.slot,
      consumed: tally.consumed,
      undecodable: tally.undecodable,
      unstorable: tally.unstorable,
      points: tally.points,
      retries: sinkStats.retries - this.reported.retries,
      writeErrors: sinkStats.writeErrors - this.reported.writeErrors,
      deadLettered: deadLettered - this.reported.deadLettered,
      activeFrom: tally.activeFrom,
      activeTo: tally.activeTo,
      bySentiment: tally.bySentiment,
      freshness: tally.freshness.pairs(),
      lag: parts.lag(),
    });
    tally.reset();
    routeClientLog(`pulse child ${parts.slot}`);
    this.reported = { retries: sinkStats.retries, writeErrors: sinkStats.writeErrors, deadLettered };
  }
}
