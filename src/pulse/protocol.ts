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
  /** Messages that were not tweets of the schema: counted, committed past. */
  undecodable: number;
  points: number;
  retries: number;
  writeErrors: number;
  bySentiment: [number, number, number];
  /** Absolute: messages behind the partitions' ends (librdkafka statistics), -1 unknown. */
  lag: number;
}

export interface PulseDone extends ChildDone {
  /** Every offset the child consumed was committed (false: a write was not acknowledged before shutdown). */
  committed: boolean;
}

export type PulseChildMessage = PulseTick | PulseDone | ChildFatal;
export const PULSE_CHILD_ENV = 'DATASTORM_PULSE_CHILD';
