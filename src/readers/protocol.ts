/** Typed IPC between a storm's primary and its readers (one consumer group member per child). */
import type { ChildDone, ChildFatal, ChildIdentity } from '../supervisor.js';

export const READER_CHILD_ENV = 'DATASTORM_READER';

/** What a reader needs; passed once through its environment. */
export interface ReaderChildConfig extends ChildIdentity {
  bootstrap: string;
  /** The user's client settings (client.properties, -X): secrets travel here as for every other client. */
  client: Record<string, string>;
  topic: string;
  /** The group's name, and the group's and member's index in the run. */
  group: string;
  groupIndex: number;
  member: number;
  runId: string;
  redis: string;
  redisCa?: string;
  /** The run's rate schedule (scenario/schedule.ts encoding; empty: as fast as possible). */
  schedule: string;
  /** How far past the schedule's start its intended times are tabled (ms). */
  horizonMs: number;
  warmupSec: number;
  /** Bytes before a tweet's Avro (the registry's frame), or null when the records are not tweets. */
  tweetFraming: number | null;
  /** --omb-result: each tick carries its second's end-to-end pairs. */
  series: boolean;
  /** --backlog: the reader joins its group but reads nothing until the primary says resume. */
  paused: boolean;
}

/** The primary's word to its readers: the backlog is built, read. */
export interface ResumeMessage {
  t: 'resume';
}

/** A reader's second: what it read (runs of offsets, so the primary counts the group's new reads exactly). */
export interface ReaderTick {
  t: 'reader-tick';
  slot: number;
  group: number;
  /** The wall-clock second (Unix time) this interval ends at. */
  second: number;
  read: number;
  bytes: number;
  /** When this interval's first and last messages were read (Unix ms; null: none). */
  firstReadMs: number | null;
  lastReadMs: number | null;
  /** [partition, first, last, …]: offsets read this interval. */
  runs: number[];
  /** End-to-end latency this interval (ms; null: nothing timed), from creation and from the intended time. */
  e2e: { p50: number; p99: number } | null;
  intendedP99: number | null;
  /** With series: the interval's end-to-end latency from creation (µs) as (value, count) pairs. */
  e2ePairs?: number[];
}

/** A rebalance gave or took partitions. */
export interface ReaderAssignment {
  t: 'reader-assignment';
  slot: number;
  group: number;
  assigned: boolean;
  partitions: number[];
}

export interface ReaderDone extends ChildDone {
  group: number;
  /** End-to-end latency after the warm-up, µs, as [value, count, …] pairs: from creation, from the intended time. */
  e2e: number[];
  intended: number[];
  cpuMicros: number;
}

export type ReaderMessage = ReaderTick | ReaderAssignment | ReaderDone | ChildFatal;
