/**
 * Pulse options, parsed once: the flags and parsePulseOptions(), which turns raw flags into typed, defaulted options
 * or returns every problem at once. Adding a flag touches this file and the code that uses it.
 */

import fs from 'node:fs';
import os from 'node:os';
import type { Options as FlagSpec } from 'yargs';
import { type ClientSettings, clientConfigFlags, parseKafkaTarget } from '../kafka/client-config.js';
import { OptionChecks, type RawFlags } from '../option-checks.js';
import { parseRegistryOptions, type RegistrySettings, registryFlags } from '../registry/registry-options.js';
import { PULSE_FIGURES } from '../thresholds/figures.js';
import { parseThresholds, type Threshold, thresholdExprs } from '../thresholds/threshold.js';
import type { InfluxTarget } from './influx-sink.js';

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
  /** --schema-registry: the tweets are framed with its schema ids (registry/framed-reader.ts). */
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
  influx: Omit<InfluxTarget, 'token'> & { token?: string };
  summaryMinutes?: number;
};

/** The environment variable that may carry the token, so it stays out of shell history and process lists. */
export const TOKEN_ENV = 'DATASTORM_INFLUX_TOKEN';

/** The InfluxDB token the flags give: --influx-token, else $DATASTORM_INFLUX_TOKEN (an empty one counts as unset). */
export const tokenFromFlags = (raw: RawFlags, env: Readonly<Record<string, string | undefined>> = process.env) =>
  raw['influx-token'] === undefined ? env[TOKEN_ENV] || undefined : String(raw['influx-token']);

/**
 * The InfluxDB a command reads or writes, from its --influx-* flags (pulse's sink, the dashboards' BrandPulse panel);
 * every problem added to c. No token here means the local instance's or none (the caller decides).
 */
export function influxFromFlags(c: OptionChecks, raw: RawFlags, env = process.env): PulseRequest['influx'] {
  const url = c.httpUrl('influx-url', raw['influx-url']) ?? defaults.influx.url;
  const token = tokenFromFlags(raw, env);
  if (token !== undefined && !/^\S+$/.test(token))
    c.add('--influx-token must be a token without spaces (got one with)');
  const name = (flag: string, v: unknown, fallback: string) => {
    if (v === undefined) return fallback;
    if (String(v).trim() !== '') return String(v);
    c.add(`--${flag} must not be empty`);
    return fallback;
  };
  const org = name('influx-org', raw['influx-org'], defaults.influx.org);
  const bucket = name('influx-bucket', raw['influx-bucket'], defaults.influx.bucket);
  const caFile = raw['influx-ca'] === undefined ? undefined : String(raw['influx-ca']);
  if (caFile !== undefined) {
    if (!url.startsWith('https://')) c.add(`--influx-ca needs an https:// --influx-url (got '${url}')`);
    else if (!isFile(caFile))
      c.add(`--influx-ca must be a PEM file of the CA that signed InfluxDB's certificate (got '${caFile}')`);
  }
  return { url, org, bucket, token, ...(caFile === undefined ? {} : { caFile }) };
}

const isFile = (file: string) => {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

export const defaults = {
  topic: 'tweets',
  group: 'datastorm-pulse',
  store: 'counts' as Store,
  influx: { url: 'http://127.0.0.1:8086', org: 'datastorm', bucket: 'brandpulse' },
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
  'influx-url': { type: 'string', default: defaults.influx.url, describe: 'InfluxDB URL' },
  'influx-org': { type: 'string', default: defaults.influx.org, describe: 'InfluxDB organization' },
  'influx-bucket': { type: 'string', default: defaults.influx.bucket, describe: 'InfluxDB bucket' },
  'influx-token': {
    type: 'string',
    describe: `InfluxDB API token (default: $${TOKEN_ENV}, else the local InfluxDB's, from scripts/influxdb.sh)`,
  },
  'influx-ca': {
    type: 'string',
    describe:
      'an https InfluxDB: PEM file of the CA that signed its certificate (scripts/influxdb.sh up --tls prints it)',
  },
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
