/** Typed IPC between the pulse primary and its consumer children. */
export interface PulseOptions {
  bootstrap: string;
  topic: string;
  group: string;
  workers: number;
  store: 'points' | 'counts';
  influx: { url: string; token: string; db: string };
  flushPoints: number;
  flushMs: number;
  /** Stop after this many consumed tweets (all children), after this many seconds, or after this long idle. */
  count?: number;
  duration?: number;
  untilIdle?: number;
}

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
  /** Absolute: partitions assigned to this child. */
  partitions: number;
}

export interface PulseDone {
  t: 'done';
  slot: number;
  committed: boolean;
}

export interface PulseFatal {
  t: 'fatal';
  slot: number;
  code: string;
  message: string;
}

export type PulseChildMessage = PulseTick | PulseDone | PulseFatal;
export const PULSE_CHILD_ENV = 'DATASTORM_PULSE_CHILD';
