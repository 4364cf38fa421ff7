/**
 * Pulse options, parsed once: the flags and parsePulseOptions(), which turns raw flags into typed, defaulted options
 * or returns every problem at once. Adding a flag touches this file and the code that uses it.
 */

import os from 'node:os';
import type { Options as FlagSpec } from 'yargs';
import { INFLUX_DEFAULTS, type InfluxRequest, influxFlags, influxFromFlags } from '../influx/influx-options.js';
import type { InfluxTarget } from '../influx/influx-sink.js';
import { type ClientSettings, clientConfigFlags, parseKafkaTarget } from '../kafka/client-config.js';
import { OptionChecks, type RawFlags } from '../option-checks.js';
import { parseRegistryOptions, type RegistrySettings, registryFlags } from '../registry/registry-options.js';
import { PULSE_FIGURES } from '../run/figures.js';
import { parseThresholds, type Threshold, thresholdExprs } from '../thresholds/threshold.js';

export const STORES = ['points', 'counts'] as const;
export type Store = (typeof STORES)[number];

export interface PulseOptions {
  bootstrap: string;
  /** librdkafka settings from --kafka-config and -X (TLS, SASL, …), for every Kafka client of the run. */
  client: ClientSettings;
  topic: string;
  group: string;
  workers: number;
  /** counts: per-second sums per brand and sentiment; points: one point per tweet. */
  store: Store;
  influx: InfluxTarget;
  flushPoints: number;
  flushMs: number;
  /** Stop after this many consumed tweets (all children), after this many seconds, or after this long idle. */
  count?: number;
  duration?: number;
  untilIdle?: number;
  /** Copy undecodable records to this topic before committing past them. */
  deadLetter?: string;
  /** --schema-registry: the tweets are framed with its schema ids (generate/framed-reader.ts). */
  registry?: RegistrySettings;
  /** Bars over the report's figures (--threshold): judged at the end, lag, freshness and write errors also live. */
  thresholds?: Threshold[];
}

/**
 * What the flags ask for: no bootstrap means the running local cluster, no token the local InfluxDB's (see
 * local/services.ts localInfluxToken); summaryMinutes asks for --summary instead.
 */
export type PulseRequest = Omit<PulseOptions, 'bootstrap' | 'influx'> & {
  bootstrap?: string;
  influx: InfluxRequest;
  summaryMinutes?: number;
};

export const defaults = {
  topic: 'tweets',
  group: 'datastorm-pulse',
  store: 'counts' as Store,
  influx: INFLUX_DEFAULTS,
  flushPoints: 5000,
  // The dashboards plot seconds: a slow trickle of tweets still reaches InfluxDB within about a second.
  flushMs: 1000,
  minutes: 60,
};

export const pulseFlags = {
  bootstrap: { type: 'string', describe: 'Kafka cluster (default: the running local cluster)' },
  ...clientConfigFlags,
  topic: { type: 'string', default: defaults.topic, describe: 'topic to read' },
  group: { type: 'string', default: defaults.group, describe: 'consumer group id' },
  workers: { type: 'string', describe: 'consumer children (default: one per core)' },
  store: {
    type: 'string',
    default: defaults.store,
    describe: 'counts: per-second sums per brand and sentiment; points: one point per tweet',
  },
  ...influxFlags,
  threshold: {
    type: 'string',
    array: true,
    describe:
      "a bar over the report's figures, e.g. 'rate>=200k', 'lag.most<100k', 'freshness.p99<5s', " +
      "'lag<500k abort-on-fail=30s' (repeatable; any failed: exit 99)",
  },
  ...registryFlags,
  'dead-letter': {
    type: 'string',
    describe: 'copy records that are not tweets of the schema to this topic (headers: source topic, partition, offset)',
  },
  'flush-points': {
    type: 'string',
    default: String(defaults.flushPoints),
    describe: 'flush after this many buffered points',
  },
  'flush-ms': { type: 'string', default: String(defaults.flushMs), describe: 'flush at least this often (ms)' },
  count: { type: 'string', describe: 'stop after this many tweets consumed' },
  duration: { type: 'string', describe: 'stop after this many seconds' },
  'until-idle': { type: 'string', describe: 'stop once caught up and idle for this many seconds' },
  summary: {
    type: 'boolean',
    default: false,
    describe: 'print the sentiment breakdown of the last --minutes from InfluxDB and exit',
  },
  minutes: { type: 'string', default: String(defaults.minutes), describe: 'with --summary: how far back' },
} as const satisfies Record<string, FlagSpec>;

/** Raw flags → typed, defaulted options, or every problem found. Pure but for the core count. */
export function parsePulseOptions(
  raw: RawFlags,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { request?: PulseRequest; problems: string[] } {
  const c = new OptionChecks();
  const store = c.oneOf('store', raw.store, STORES, 'points or counts');
  const workers = c.workers(raw.workers);
  const flushPoints = c.whole('flush-points', raw['flush-points'], 1);
  const flushMs = c.whole('flush-ms', raw['flush-ms'], 10, undefined, 'whole number of milliseconds');
  const count = c.whole('count', raw.count, 1);
  const duration = c.whole('duration', raw.duration, 1);
  const untilIdle = c.whole('until-idle', raw['until-idle'], 1);
  const minutes = c.whole('minutes', raw.minutes, 1);
  const influx = influxFromFlags(c, raw, env);
  const topic = c.topic(raw.topic);
  const deadLetter = raw['dead-letter'] === undefined ? undefined : c.topic(raw['dead-letter'], 'dead-letter');
  if (deadLetter !== undefined && deadLetter === (topic ?? defaults.topic))
    c.add(`--dead-letter must be another topic than --topic (got '${deadLetter}')`);
  const { bootstrap, client } = parseKafkaTarget(c, raw);
  const registry = parseRegistryOptions(c, raw);
  const gate = parseThresholds(thresholdExprs(raw.threshold), PULSE_FIGURES);
  for (const p of gate.problems) c.add(p);
  if (gate.thresholds.length && raw.summary === true)
    c.add('--threshold judges a pulse run; --summary reads InfluxDB and runs nothing (give one or the other)');
  if (c.problems.length) return { problems: c.problems };
  return {
    problems: [],
    request: {
      bootstrap,
      client,
      topic: topic ?? defaults.topic,
      group: raw.group === undefined ? defaults.group : String(raw.group),
      workers: workers ?? os.availableParallelism(),
      store: store ?? defaults.store,
      influx,
      deadLetter,
      registry,
      flushPoints: flushPoints ?? defaults.flushPoints,
      flushMs: flushMs ?? defaults.flushMs,
      count,
      duration,
      untilIdle,
      summaryMinutes: raw.summary === true ? (minutes ?? defaults.minutes) : undefined,
      thresholds: gate.thresholds,
    },
  };
}
