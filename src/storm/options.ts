/**
 * Storm options, parsed once: the flags (names, help, defaults as the command line shows them), and
 * parseStormOptions(), which turns raw flags into typed, defaulted options or returns every problem at once (one line
 * each, naming the flag and what is allowed). The engine trusts what passes here. Adding a flag touches this file and
 * the code that uses it.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Options as FlagSpec } from 'yargs';
import { DEFAULT_BARRIER_TIMEOUT_SEC, type Instances, parseInstances } from '../coord/instances.js';
import { redisCaProblem, redisUrlProblem } from '../coord/redis.js';
import type { PayloadSpec } from '../generate/payload-plan.js';
import { QUICKSTARTS, quickstart } from '../generate/quickstarts.js';
import type { RecordFormat } from '../generate/record-plan.js';
import { DEFAULT_MAX_DEPTH } from '../generate/recursion.js';
import { TWEET_ONLY_FLAGS } from '../generate/storm-schema.js';
import { BRANDS } from '../generate/texts.js';
import { MAX_IN_FLIGHT_LIMIT } from '../generate/tweet-contract.js';
import { type ClientSettings, clientConfigFlags } from '../kafka/client-config.js';
import { OptionChecks, type RawFlags, toNumber } from '../option-checks.js';
import type { ReadersOptions } from '../readers/reader-fleet.js';
import { parseRegistryOptions, type RegistrySettings, registryFlags } from '../registry/registry-options.js';
import { STORM_FIGURES } from '../run/figures.js';
import { loadOmbWorkload, type OmbWorkload } from '../scenario/omb-workload.js';
import { parseScenarioOptions, type ScenarioOptions, scenarioFlags } from '../scenario/options.js';
import { loadScenarioFile, type ScenarioFile } from '../scenario/scenario-file.js';
import { DURATION_FORMAT, parseDuration, parseRate, RATE_FORMAT } from '../scenario/units.js';
import { parseThresholds, type Threshold, thresholdExprs } from '../thresholds/threshold.js';
import { clusterSettingsFlags, parseClusterSettings } from './cluster-settings.js';
import { loadOmbDriver } from './omb-driver.js';
import { parsePayloadFlags, payloadFlags } from './payload-options.js';
import { flagsFromReport, reproducingFlags, type StormFlagValues } from './repeat.js';

export const ACKS = ['0', '1', 'all'] as const;
export type Acks = (typeof ACKS)[number];
export const MODES = ['fixed', 'volatile'] as const;
export type Mode = (typeof MODES)[number];
export const COMPRESSIONS = ['lz4', 'zstd', 'snappy', 'gzip', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export interface StormOptions extends ScenarioOptions {
  bootstrap: string;
  topic: string;
  /** When the topic is created; default 3 per broker. */
  partitions?: number;
  /** When the topic is created; default min(3, brokers). */
  replication?: number;
  /** Exact total of acknowledged messages, across all children and processes sharing the run. */
  count?: number;
  /** Seconds, from the run's start. */
  duration?: number;
  /** Global messages/s across all children and processes (0 = as fast as possible); the constant shape. */
  rate: number;
  /** The scenario file's description line, when the run came from one. */
  scenario?: { file: string; description?: string };
  /** Bars over the report's figures (--threshold and the scenario file's): judged at the end, some live. */
  thresholds?: Threshold[];
  workers: number;
  batchSize: number;
  /** Unacknowledged messages a child may have outstanding before it waits for the brokers. */
  maxInFlight: number;
  mode: Mode;
  /** positive, negative, neutral percentages (sum 100). */
  sentiment: [number, number, number];
  volatility: number;
  /** volatile: one mix per this many ms of the run, shared by every process of it; null: a mix per batch. */
  swingEveryMs: number | null;
  acks: Acks;
  idempotence: boolean;
  compression: Compression;
  batchBytes: number;
  lingerMs: number;
  redis: string;
  /** The CA a rediss:// Redis' certificate is checked against (PEM file). */
  redisCa?: string;
  runId: string;
  /** One of N processes of the run (--instances): they start together and their reports merge. */
  instances?: Instances;
  brands: string[];
  schema?: string;
  /** Records written as Avro binary or JSON (--format). */
  format: RecordFormat;
  /** The datagen quickstart the schema is (--quickstart). */
  quickstart?: string;
  /** --proto FILE and --message NAME: Protobuf messages. */
  proto?: string;
  message?: string;
  /** How deep a recursive type nests in a message (--max-depth). */
  maxDepth: number;
  /** A record schema's top-level field whose value is each message's key. */
  keyField?: string;
  /** --schema-registry and its settings: the schema registered, every message framed with its id. */
  registry?: RegistrySettings;
  /** Tweet-only flags given (generate/storm-schema.ts refuses them with another schema). */
  tweetFlags: string[];
  /** The flags that run this storm again (storm/repeat.ts): recorded in the report. */
  flags: StormFlagValues;
  /** librdkafka settings from --kafka-config and -X (TLS, SASL, …), for every Kafka client of the run. */
  client: ClientSettings;
  /** Over `client`, for the producers only (--omb-driver's producerConfig). */
  producerClient: ClientSettings;
  /** Configs of the topic when the storm creates it (--topic-config, --omb-driver's topicConfig). */
  topicConfig: Record<string, string>;
  /** --payload FILE or --payload-size N: raw payloads instead of records (generate/payload-plan.ts). */
  payload?: PayloadSpec;
  /** --omb-result FILE: OpenMessaging Benchmark's result JSON is written there (storm/omb-series.ts). */
  ombResult?: string;
  /** --consumer-groups: consumer groups reading the topic in the run (readers/reader-fleet.ts). */
  readers?: ReadersOptions;
}

/** What the flags ask for: the options, with no bootstrap when a local cluster of `brokers` is to be used. */
export type StormRequest = Omit<StormOptions, 'bootstrap'> & { bootstrap?: string; brokers: number };

export const DEFAULT_COUNT = 5_000_000;

export const defaults = {
  brokers: 4,
  topic: 'tweets',
  rate: 0,
  batchSize: 8000,
  maxInFlight: 100_000,
  mode: 'fixed' as Mode,
  sentiment: [50, 30, 20] as [number, number, number],
  volatility: 0.8,
  swingEveryMs: 1000 as number | null,
  acks: 'all' as Acks,
  compression: 'lz4' as Compression,
  batchBytes: 16 * 1024 * 1024,
  lingerMs: 20,
  redis: 'redis://127.0.0.1:6379',
};

const allBrands = Object.keys(BRANDS);
const RECORD_FORMATS: readonly RecordFormat[] = ['avro', 'json'];

/** The storm's flags, as yargs takes them (every value a string: parseStormOptions checks and converts). */
export const stormFlags = {
  brokers: {
    type: 'string',
    defaultDescription: String(defaults.brokers),
    describe: 'size of the local cluster to start or reuse when no --bootstrap is given (1-9)',
  },
  bootstrap: { type: 'string', describe: 'an existing cluster, host:port[,host:port…]; nothing local is started' },
  ...clientConfigFlags,
  ...clusterSettingsFlags,
  topic: { type: 'string', defaultDescription: defaults.topic, describe: 'topic to produce to (created when missing)' },
  partitions: { type: 'string', describe: 'partitions when the topic is created (default: 3 per broker)' },
  replication: { type: 'string', describe: 'replication factor when the topic is created (default: min(3, brokers))' },
  count: {
    type: 'string',
    describe: `exact total of acknowledged tweets (default ${DEFAULT_COUNT.toLocaleString('en-US')} unless --duration)`,
  },
  duration: { type: 'string', describe: 'stop after this long: 45 (seconds), 500ms, 30s, 2m, 1h' },
  rate: {
    type: 'string',
    defaultDescription: '0',
    describe:
      'global target, tweets/s (50000, 200k, 1.5M) across all children and processes of the run ' +
      '(0 = as fast as possible)',
  },
  workers: { type: 'string', describe: 'child processes (default: one per core)' },
  'batch-size': {
    type: 'string',
    defaultDescription: String(defaults.batchSize),
    describe: 'tweets per generated batch',
  },
  'max-in-flight': {
    type: 'string',
    defaultDescription: String(defaults.maxInFlight),
    describe: 'unacknowledged messages per child before it waits (1,000-200,000)',
  },
  mode: { type: 'string', defaultDescription: defaults.mode, describe: 'sentiment mode: fixed | volatile' },
  sentiment: {
    type: 'string',
    defaultDescription: defaults.sentiment.join(','),
    describe: 'positive,negative,neutral percentages (sum 100)',
  },
  volatility: {
    type: 'string',
    defaultDescription: String(defaults.volatility),
    describe: 'volatile mode swing, 0..1 (near 1 = wilder)',
  },
  'swing-every': {
    type: 'string',
    defaultDescription: '1s',
    describe:
      'volatile mode: one mix per period of the run, the same in every child and instance (a duration), or batch',
  },
  acks: { type: 'string', defaultDescription: defaults.acks, describe: '0 | 1 | all' },
  idempotence: { type: 'boolean', describe: 'idempotent producer (default on with --acks all)' },
  compression: { type: 'string', defaultDescription: defaults.compression, describe: COMPRESSIONS.join(' | ') },
  'batch-bytes': {
    type: 'string',
    defaultDescription: String(defaults.batchBytes),
    describe: 'max bytes of a producer batch',
  },
  'linger-ms': { type: 'string', defaultDescription: String(defaults.lingerMs), describe: 'producer linger (ms)' },
  brands: { type: 'string', describe: `comma list of brands (default all: ${allBrands.join(', ')})` },
  schema: {
    type: 'string',
    describe:
      'Avro schema file: the tweet schema (default schemas/tweet.avsc; extra fields need defaults) or any record ' +
      "schema, generated by type and by avro-random-generator's arg.properties hints",
  },
  ...registryFlags,
  format: {
    type: 'string',
    defaultDescription: 'avro',
    describe: 'records of a record --schema written as avro (binary) or json',
  },
  proto: {
    type: 'string',
    describe: 'a .proto file: write Protobuf messages of its --message instead of Avro',
  },
  message: { type: 'string', describe: 'with --proto: the message type to write (its name or full name)' },
  'max-depth': {
    type: 'string',
    defaultDescription: String(DEFAULT_MAX_DEPTH),
    describe:
      'how deep a recursive type (a record or message inside itself) nests in a message, 1-64: deeper, every ' +
      'choice takes the shortest way out',
  },
  quickstart: {
    type: 'string',
    describe: "one of kafka-connect-datagen's quickstarts (orders, users, pageviews, …): its schema and key field",
  },
  ...payloadFlags,
  'key-field': {
    type: 'string',
    describe: "with a record --schema: the top-level field whose value is each message's key",
  },
  redis: {
    type: 'string',
    defaultDescription: defaults.redis,
    describe: 'Redis URL for the shared quota and counters (rediss:// for TLS; a password in it is never shown)',
  },
  'redis-ca': { type: 'string', describe: "PEM file of the CA that signed a rediss:// Redis' certificate" },
  ...scenarioFlags,
  threshold: {
    type: 'string',
    array: true,
    describe:
      "a bar over the report's figures, e.g. 'rate>=500k', 'p99<250ms', 'failed==0', " +
      "'intended.p99<1s abort-on-fail=10s' (repeatable; any failed: exit 99)",
  },
  'run-id': {
    type: 'string',
    describe: 'name of the run; storms with the same --redis and --run-id share one quota and counters',
  },
  'from-report': {
    type: 'string',
    describe: 'run the storm a saved report describes again (its settings; flags given here override them)',
  },
  instances: {
    type: 'string',
    describe: 'this storm is one of N processes (hosts) of the --run-id: they start together, reports merge',
  },
  instance: {
    type: 'string',
    describe: "with --instances: this one's index, 0 to N-1 (default: $JOB_COMPLETION_INDEX)",
  },
  'omb-workload': {
    type: 'string',
    describe: 'run an OpenMessaging Benchmark workload file as it is (its fields become these flags; flags given win)',
  },
  'omb-result': {
    type: 'string',
    describe: "also write OpenMessaging Benchmark's result JSON to this file (its chart script reads it)",
  },
  'consumer-groups': {
    type: 'string',
    describe: 'consumer groups reading the topic while the storm writes it, each timed end to end (0-64; default 0)',
  },
  consumers: {
    type: 'string',
    describe: 'with --consumer-groups: consumers (processes) per group (1-256; default 1)',
  },
  backlog: {
    type: 'string',
    describe:
      'with --consumer-groups: the readers wait until this much is acknowledged (messages: 500k, 2M; or bytes: ' +
      '500MB, 10GB), then read it while production goes on; the report says how long they took to catch up',
  },
  'drain-timeout': {
    type: 'string',
    describe: 'with --consumer-groups: how long the readers may take, after production, to read the rest (default 60s)',
  },
  'barrier-timeout': {
    type: 'string',
    describe: `with --instances: seconds to wait for every instance to join (default ${DEFAULT_BARRIER_TIMEOUT_SEC})`,
  },
} as const satisfies Record<string, FlagSpec>;

/** Every problem with the flags (empty when all is well). Pure: no I/O. */
export function validateStormOptions(raw: RawFlags): string[] {
  return parseStormOptions(raw).problems;
}

/** Raw flags → typed, defaulted options, or every problem found. Pure but for the random run id and core count. */
export function parseStormOptions(flags: RawFlags): { request?: StormRequest; problems: string[] } {
  const c = new OptionChecks();
  const { raw, file, omb, driver } = layeredFlags(c, flags);
  const brokers = c.whole('brokers', raw.brokers, 1, 9);
  const count = c.whole('count', raw.count, 1);
  const partitions = c.whole('partitions', raw.partitions, 1, 10000);
  const replication = c.whole('replication', raw.replication, 1, 9);
  const workers = c.workers(raw.workers);
  const producer = parseProducerFlags(c, raw);
  // Rates and durations take one grammar wherever a flag takes them (scenario/units.ts): 200k, 1.5M; 45, 30s, 2m.
  const duration = c.number('duration', raw.duration, (d) => d > 0, `${DURATION_FORMAT} above 0`, parseDuration);
  const rate = c.number(
    'rate',
    raw.rate,
    (r) => r >= 0,
    `${RATE_FORMAT}, 0 or more (0 = as fast as possible)`,
    parseRate,
  );
  const tweets = parseTweetFlags(c, raw);
  const topic = c.topic(raw.topic);
  const { bootstrap, client, producerClient, readerClient, topicConfig } = parseClusterSettings(c, raw, driver);
  const { runId, brands } = checkNames(c, raw);
  const instances = parseInstances(c, raw);
  const schema = {
    ...parseSchemaChoice(c, raw),
    registry: parseRegistryOptions(c, raw),
    payload: parsePayloadFlags(c, raw),
  };
  const scenario = parseScenarioOptions(c, raw, { rate, duration, count });
  const readers = parseReaderFlags(c, raw, readerClient);
  const unscheduled = scenario?.options.shape.name === 'unlimited';
  const gate = stormThresholds(c, raw.threshold, file, unscheduled, readers?.groups ?? 0);
  if (c.problems.length || !scenario) return { problems: c.problems.map((p) => (file ? file.attribute(p, flags) : p)) };

  const resolvedWorkers = workers ?? os.availableParallelism();
  // A shape that ends itself (stages, find-max) or needs an end (sine) takes no default count.
  const resolvedCount = count ?? (scenario.runSec === undefined && !scenario.endsItself ? DEFAULT_COUNT : undefined);
  return {
    problems: [],
    request: {
      brokers: brokers ?? defaults.brokers,
      bootstrap,
      topic: topic ?? defaults.topic,
      partitions,
      replication,
      count: resolvedCount,
      duration: scenario.runSec,
      rate: scenario.options.shape.name === 'constant' ? (rate ?? defaults.rate) : 0,
      ...scenario.options,
      scenario: scenarioLine(raw, file, omb),
      workers: resolvedWorkers,
      ...producer,
      ...tweets,
      redis: raw.redis === undefined ? defaults.redis : String(raw.redis),
      redisCa: raw['redis-ca'] === undefined ? undefined : String(raw['redis-ca']),
      runId: runId === undefined ? newRunId() : String(runId),
      instances,
      brands,
      ...schema,
      thresholds: gate.thresholds,
      flags: reproducingFlags(
        { ...raw, threshold: gate.exprs.length ? gate.exprs : undefined },
        Object.keys(stormFlags),
        {
          workers: resolvedWorkers,
          count: resolvedCount,
        },
      ),
      client,
      producerClient,
      topicConfig,
      readers,
      ombResult: raw['omb-result'] === undefined ? undefined : String(raw['omb-result']),
    },
  };
}

/** The file the run came from, if any, and its description line (an OMB workload's name). */
function scenarioLine(raw: RawFlags, file?: ScenarioFile, omb?: OmbWorkload): StormOptions['scenario'] {
  if (file) return { file: String(raw.scenario), description: file.description };
  return omb ? { file: String(raw['omb-workload']), description: omb.name } : undefined;
}

export const READER_DEFAULTS = { perGroup: 1, drainTimeoutSec: 60, readyTimeoutSec: 30 };

/** --consumer-groups, --consumers, --drain-timeout: the run's readers, or none. */
function parseReaderFlags(c: OptionChecks, raw: RawFlags, client: ClientSettings): ReadersOptions | undefined {
  const groups = c.whole('consumer-groups', raw['consumer-groups'], 0, 64);
  const perGroup = c.whole('consumers', raw.consumers, 1, 256);
  const drain = c.number(
    'drain-timeout',
    raw['drain-timeout'],
    (d) => d > 0,
    `${DURATION_FORMAT} above 0`,
    parseDuration,
  );
  if (!groups) {
    // --consumer-groups 0 says "no readers" (an OMB workload's consumers are then moot); without it they are a slip.
    if (raw['consumer-groups'] === undefined)
      for (const flag of ['consumers', 'drain-timeout', 'backlog'])
        if (raw[flag] !== undefined) c.add(`--${flag} needs --consumer-groups (1 or more)`);
    return undefined;
  }
  if (raw.instances !== undefined)
    c.add(
      '--consumer-groups with --instances: the readers of a run of several instances are not merged yet (each ' +
        "instance would count only its own members' reads); run the readers in a storm of one process",
    );
  const backlog = raw.backlog === undefined ? undefined : parseBacklog(c, String(raw.backlog));
  return {
    groups,
    backlog,
    perGroup: perGroup ?? READER_DEFAULTS.perGroup,
    drainTimeoutSec: drain ?? READER_DEFAULTS.drainTimeoutSec,
    readyTimeoutSec: READER_DEFAULTS.readyTimeoutSec,
    client,
  };
}

/** How each child produces: batches, what may be in flight, and the producer's own settings, defaulted. */
function parseProducerFlags(c: OptionChecks, raw: RawFlags) {
  const batchSize = c.whole('batch-size', raw['batch-size'], 1, 1_000_000);
  const maxInFlight = c.whole('max-in-flight', raw['max-in-flight'], 1000, MAX_IN_FLIGHT_LIMIT);
  const batchBytes = c.whole('batch-bytes', raw['batch-bytes'], 1024, 1_000_000_000);
  const lingerMs = c.whole('linger-ms', raw['linger-ms'], 0, 900_000);
  const acksRaw = c.oneOf('acks', raw.acks, [...ACKS, '-1'], '0, 1 or all');
  const acks: Acks = (acksRaw === '-1' ? 'all' : acksRaw) ?? defaults.acks;
  const compression = c.oneOf('compression', raw.compression, COMPRESSIONS, `one of ${COMPRESSIONS.join(', ')}`);
  if (raw.acks !== undefined && acks !== 'all' && raw.idempotence === true)
    c.add(`--idempotence needs --acks all (got --acks ${String(raw.acks)})`);
  return {
    batchSize: batchSize ?? defaults.batchSize,
    maxInFlight: maxInFlight ?? defaults.maxInFlight,
    acks,
    idempotence: typeof raw.idempotence === 'boolean' ? raw.idempotence : acks === 'all',
    compression: compression ?? defaults.compression,
    batchBytes: batchBytes ?? defaults.batchBytes,
    lingerMs: lingerMs ?? defaults.lingerMs,
  };
}

/** The tweets' sentiment: a fixed mix or a volatile one, and how it swings; defaulted. */
function parseTweetFlags(c: OptionChecks, raw: RawFlags) {
  const mode = c.oneOf('mode', raw.mode, MODES, 'fixed or volatile');
  const sentiment = parseSentiment(c, raw.sentiment);
  const volatility = c.number('volatility', raw.volatility, (v) => v >= 0 && v <= 1, 'a number from 0 to 1');
  const swingEveryMs = parseSwingEvery(c, raw['swing-every'], mode);
  return {
    mode: mode ?? defaults.mode,
    sentiment: sentiment ?? defaults.sentiment,
    volatility: volatility ?? defaults.volatility,
    swingEveryMs: swingEveryMs === undefined ? defaults.swingEveryMs : swingEveryMs,
  };
}

/**
 * The flags in force: a scenario file fills in what the command line did not say, and a saved report (--from-report)
 * what neither said; the file's problems name the file and its key.
 */
function layeredFlags(c: OptionChecks, flags: RawFlags) {
  const file =
    flags.scenario === undefined ? undefined : loadScenarioFile(String(flags.scenario), Object.keys(stormFlags));
  if (file) for (const p of file.problems) c.add(p);
  const omb = flags['omb-workload'] === undefined ? undefined : loadOmbWorkload(String(flags['omb-workload']));
  for (const p of omb?.problems ?? []) c.add(p);
  const repeated = flags['from-report'] === undefined ? undefined : flagsFromReport(String(flags['from-report']));
  if (repeated?.problem) c.add(repeated.problem);
  // The driver's client settings are no flags: a repeated run reads its file again, wherever the path came from.
  const driverFile = flags['omb-driver'] ?? file?.flags['omb-driver'] ?? repeated?.flags?.['omb-driver'];
  const driver = driverFile === undefined ? undefined : loadOmbDriver(String(driverFile));
  for (const p of driver?.problems ?? []) c.add(p);
  const raw: RawFlags = { ...repeated?.flags, ...file?.flags, ...omb?.flags, ...driver?.flags, ...flags };
  return { raw, file, omb, driver };
}

/**
 * The run's thresholds: the scenario file's, then the command line's; a figure only a rate schedule measures is
 * refused without one (no message has an intended send time).
 */
function stormThresholds(
  c: OptionChecks,
  given: unknown,
  file: ScenarioFile | undefined,
  unscheduled: boolean,
  readerGroups: number,
): { thresholds: Threshold[]; exprs: string[] } {
  const sources: [string[], string][] = [
    [file?.thresholds ?? [], `--scenario ${file?.file}: thresholds`],
    [thresholdExprs(given), '--threshold'],
  ];
  const thresholds: Threshold[] = [];
  for (const [exprs, where] of sources) {
    const parsed = parseThresholds(exprs, STORM_FIGURES, where);
    for (const p of parsed.problems) c.add(p);
    for (const t of parsed.thresholds) {
      if (unscheduled && STORM_FIGURES[t.figure].needsSchedule)
        c.add(
          `${where} '${t.expr}': ${t.figure} needs a rate schedule (--rate, --stages, --sine or --find-max): ` +
            'as fast as possible, no message has an intended send time',
        );
      if (!readerGroups && STORM_FIGURES[t.figure].needsReaders)
        c.add(`${where} '${t.expr}': ${t.figure} needs readers (--consumer-groups 1 or more)`);
      else if (t.group !== undefined && t.group >= readerGroups)
        c.add(`${where} '${t.expr}': there is no group ${t.group}: the run's groups are 0 to ${readerGroups - 1}`);
      if (!thresholds.some((u) => u.expr === t.expr)) thresholds.push(t);
    }
  }
  return { thresholds, exprs: thresholds.map((t) => t.expr) };
}

/** --schema or --quickstart (a datagen schema and its key field), and --key-field (overriding a quickstart's). */
function parseSchemaChoice(c: OptionChecks, raw: RawFlags): SchemaFlags {
  const tweetFlags = TWEET_ONLY_FLAGS.filter((f) => raw[f] !== undefined);
  const format = c.oneOf('format', raw.format, RECORD_FORMATS, 'avro or json') ?? 'avro';
  const keyField = raw['key-field'] === undefined ? undefined : String(raw['key-field']);
  if (keyField !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyField))
    c.add(`--key-field must be an Avro field name: a letter or _, then letters, digits or _ (got '${keyField}')`);
  const proto = protoChoice(c, raw);
  const maxDepth = c.whole('max-depth', raw['max-depth'], 1, 64) ?? DEFAULT_MAX_DEPTH;
  if (raw.quickstart === undefined)
    return {
      schema: raw.schema === undefined ? undefined : String(raw.schema),
      keyField,
      format,
      tweetFlags,
      maxDepth,
      ...proto,
    };
  const name = String(raw.quickstart);
  const chosen = quickstart(name);
  if (raw.schema !== undefined) c.add('--quickstart and --schema both name a schema: give one');
  else if (!chosen) c.add(`--quickstart must be one of ${Object.keys(QUICKSTARTS).join(', ')} (got '${name}')`);
  const fromQuickstart = { schema: chosen?.schema, quickstart: name, keyField: keyField ?? chosen?.keyField };
  return { ...fromQuickstart, format, tweetFlags, maxDepth };
}

/** What a storm writes, as its flags say (generate/storm-schema.ts reads and checks the files). */
interface SchemaFlags {
  schema?: string;
  quickstart?: string;
  proto?: string;
  message?: string;
  keyField?: string;
  format: RecordFormat;
  tweetFlags: string[];
  maxDepth: number;
}

/** --proto and --message, which go together and stand instead of --schema and --quickstart. */
function protoChoice(c: OptionChecks, raw: RawFlags): { proto?: string; message?: string } {
  const proto = raw.proto === undefined ? undefined : String(raw.proto);
  const message = raw.message === undefined ? undefined : String(raw.message);
  if (proto === undefined) {
    if (message !== undefined) c.add('--message needs --proto');
    return {};
  }
  if (message === undefined) c.add('--proto needs --message (the message type to write)');
  if (raw.schema !== undefined || raw.quickstart !== undefined)
    c.add('--proto and --schema or --quickstart both name a schema: give one');
  return { proto, message };
}

/** The names a run uses: its Redis, its run id, its brands. */
function checkNames(c: OptionChecks, raw: RawFlags): { runId: unknown; brands: string[] } {
  const redisProblem = raw.redis === undefined ? undefined : redisUrlProblem(String(raw.redis));
  if (redisProblem) c.add(redisProblem);
  const caProblem =
    raw['redis-ca'] === undefined
      ? undefined
      : redisCaProblem(String(raw['redis-ca']), String(raw.redis ?? defaults.redis));
  if (caProblem) c.add(caProblem);
  const runId = raw['run-id'];
  if (runId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(String(runId)))
    c.add(`--run-id must be 1-64 letters, digits, '.', '_' or '-' (got '${String(runId)}')`);
  const brands =
    raw.brands === undefined
      ? allBrands
      : String(raw.brands)
          .split(',')
          .map((s) => s.trim());
  const unknown = brands.filter((b) => !Object.hasOwn(BRANDS, b));
  if (unknown.length) c.add(`--brands must name brands from: ${allBrands.join(', ')} (unknown: ${unknown.join(', ')})`);
  return { runId, brands };
}

/** A run id that sorts by start time: 20261126011333-a1b2c3. */
const newRunId = () =>
  `${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(3).toString('hex')}`;

/** --swing-every: `batch` (null) or a duration of 10 ms or more, in ms; only with --mode volatile. */
function parseSwingEvery(c: OptionChecks, v: unknown, mode: Mode | undefined): number | null | undefined {
  if (v === undefined) return undefined;
  if (mode !== 'volatile') {
    c.add(`--swing-every needs --mode volatile (got --mode ${mode ?? defaults.mode})`);
    return undefined;
  }
  if (String(v).trim() === 'batch') return null;
  const seconds = c.number(
    'swing-every',
    v,
    (d) => d >= 0.01,
    `batch or ${DURATION_FORMAT}, 10ms or more`,
    parseDuration,
  );
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

function parseSentiment(c: OptionChecks, v: unknown): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = String(v)
    .split(',')
    .map((s) => s.trim());
  const ns = parts.map(toNumber);
  if (parts.length !== 3 || ns.some((n) => !Number.isFinite(n)))
    c.add(
      `--sentiment must be three percentages P,N,U (positive, negative, neutral) adding up to 100 (got '${String(v)}')`,
    );
  else if (ns.some((n) => n < 0)) c.add(`--sentiment percentages must not be negative (got '${String(v)}')`);
  else if (Math.abs(ns[0] + ns[1] + ns[2] - 100) > 1e-9)
    c.add(`--sentiment percentages must add up to 100 (got '${String(v)}', sum ${ns[0] + ns[1] + ns[2]})`);
  else return [ns[0], ns[1], ns[2]];
  return undefined;
}

const BYTE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
};

/** --backlog: messages (200k, 2M) or bytes (500MB, 1GiB). */
function parseBacklog(c: OptionChecks, v: string): { messages?: number; bytes?: number } | undefined {
  const bytes = /^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)$/i.exec(v.trim());
  if (bytes) {
    const n = Math.round(Number(bytes[1]) * BYTE_UNITS[bytes[2].toUpperCase()]);
    if (n > 0) return { bytes: n };
  } else {
    const n = parseRate(v);
    if (Number.isFinite(n) && n >= 1) return { messages: Math.round(n) };
  }
  c.add(`--backlog must be messages (500k, 2M) or bytes (500MB, 10GB, 1GiB) above 0 (got '${v}')`);
  return undefined;
}
