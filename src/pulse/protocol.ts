/** Typed IPC between the pulse primary and its consumer children. */
import type { ChildDone, ChildFatal, ChildIdentity } from '../supervisor.js';
import type { PulseOptions } from './options.js';

/** What a child needs; passed once through its environment (DATASTORM_PULSE_CHILD). */
export interface PulseChildConfig extends ChildIdentity {
  options: PulseOptions;
}

/** Sent once a second, and once more at the end. */
export interface PulseTick {
  t: 'tick';
  slot: number;
  /** Deltas since the previous tick. */
  consumed: number;
  /** Messages that were not tweets of the schema, per partition: counted, committed past. */
  undecodable: Record<number, number>;
  /** Tweets whose created_at InfluxDB cannot store: counted, dead-lettered, committed past. */
  unstorable: number;
  /** Undecodable records the dead-letter topic acknowledged. */
  deadLettered: number;
  points: number;
  retries: number;
  writeErrors: number;
  bySentiment: [number, number, number];
  /** [age ms, tweets, …]: freshness (created_at to InfluxDB's acknowledgement) of the tweets acknowledged since. */
  freshness: number[];
  /** Wall-clock ms: when this interval's first batch of tweets arrived and its last was done (absent: none). */
  activeFrom?: number;
  activeTo?: number;
  /** Absolute, per partition this child owns: messages not consumed yet (-1 unknown). */
  lag: Record<number, number>;
}

export interface PulseDone extends ChildDone {
  /** Everything the child consumed was acknowledged by InfluxDB (false: a write was given up at shutdown). */
  written: boolean;
  /** Consumed and written but not committed (open counts windows): read again by the next run. */
  uncommitted: number;
}

export type PulseChildMessage = PulseTick | PulseDone | ChildFatal;
export const PULSE_CHILD_ENV = 'DATASTORM_PULSE_CHILD';
/** How often a child sends its tick (counts and its lag per partition it owns). */
export const CHILD_TICK_MS = 1000;
