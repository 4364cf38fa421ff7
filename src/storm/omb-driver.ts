/**
 * OpenMessaging Benchmark's Kafka driver file (`--omb-driver FILE`, e.g. its driver-kafka/kafka-latency.yaml), read as
 * OMB's KafkaBenchmarkDriver reads it: replicationFactor and topicConfig for the topic it creates, commonConfig for
 * every client, producerConfig for the producers and consumerConfig for the readers (Java client properties). What
 * DataStorm sets itself becomes its flag (acks → --acks, linger.ms → --linger-ms, batch.size → --batch-bytes,
 * compression.type → --compression, enable.idempotence → --idempotence, bootstrap.servers → --bootstrap), so flags on
 * the command line win as they do over a workload file; the rest are client settings librdkafka must accept. A field
 * or setting DataStorm cannot honour is refused by name.
 */
import { isBootstrapList } from '../bootstrap.js';
import { type ClientSettings, translateJava } from '../kafka/client-config.js';
import { JavaPropertiesError, parseJavaProperties } from '../kafka/java-properties.js';
import { readYamlMap } from '../scenario/yaml-map.js';

/** The only driver DataStorm stands in for. */
const KAFKA_DRIVER = 'io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver';

export interface OmbDriver {
  name?: string;
  /** The storm flags the driver sets (the command line's win). */
  flags: Record<string, string | boolean>;
  /** Settings for every client, for the producers only, for the readers only; and the topic's configs. */
  common: ClientSettings;
  producer: ClientSettings;
  consumer: ClientSettings;
  topic: Record<string, string>;
  problems: string[];
}

type Section = 'topicConfig' | 'commonConfig' | 'producerConfig' | 'consumerConfig';
const SECTIONS: readonly Section[] = ['topicConfig', 'commonConfig', 'producerConfig', 'consumerConfig'];

/** Producer settings DataStorm owns, and the flag each becomes (the value checked by that flag's own rules). */
const PRODUCER_FLAGS: Record<string, string> = {
  acks: 'acks',
  'linger.ms': 'linger-ms',
  'batch.size': 'batch-bytes',
  'compression.type': 'compression',
};

export function loadOmbDriver(file: string): OmbDriver {
  const out: OmbDriver = { flags: {}, common: {}, producer: {}, consumer: {}, topic: {}, problems: [] };
  const say = (p: string) => out.problems.push(`--omb-driver ${file}: ${p}`);
  const { map: doc, problem } = readYamlMap('--omb-driver', file, "OpenMessaging Benchmark's Kafka driver fields");
  if (!doc) return { ...out, problems: [String(problem)] };
  for (const key of Object.keys(doc))
    if (!['name', 'driverClass', 'replicationFactor', ...SECTIONS].includes(key))
      say(`'${key}' is not a field of OpenMessaging Benchmark's Kafka driver`);
  if (doc.name !== undefined) out.name = String(doc.name);
  if (doc.driverClass !== undefined && doc.driverClass !== KAFKA_DRIVER)
    say(`driverClass must be ${KAFKA_DRIVER} (DataStorm drives Kafka) (got ${JSON.stringify(doc.driverClass)})`);
  const rf = doc.replicationFactor;
  if (rf !== undefined) {
    if (Number.isInteger(rf) && (rf as number) >= 1) out.flags.replication = String(rf);
    else say(`replicationFactor must be a whole number of 1 or more (got ${JSON.stringify(rf)})`);
  }
  const sections = Object.fromEntries(SECTIONS.map((s) => [s, propertiesOf(doc[s], s, say)])) as Record<
    Section,
    Map<string, string>
  >;
  out.topic = Object.fromEntries(sections.topicConfig);
  commonOf(sections.commonConfig, out, say);
  producerOf(sections.producerConfig, out, say);
  consumerOf(sections.consumerConfig, out, say);
  return out;
}

/** A section's Java properties (OMB loads each with java.util.Properties); absent is empty. */
function propertiesOf(v: unknown, section: Section, say: (p: string) => void): Map<string, string> {
  if (v === undefined || v === null) return new Map();
  if (typeof v !== 'string') {
    say(`${section} must be Java properties text (key=value lines) (got ${JSON.stringify(v)})`);
    return new Map();
  }
  try {
    return parseJavaProperties(v);
  } catch (e) {
    if (e instanceof JavaPropertiesError) say(`${section}: ${e.message}`);
    else throw e;
    return new Map();
  }
}

/** Java names → librdkafka's (client-config.ts), problems named by the section. */
function translated(properties: Map<string, string>, section: Section, say: (p: string) => void) {
  return translateJava(properties, (p) => say(`${section}: ${p}`));
}

function commonOf(properties: Map<string, string>, out: OmbDriver, say: (p: string) => void): void {
  const { settings, bootstrap } = translated(properties, 'commonConfig', say);
  if (bootstrap !== undefined) {
    if (isBootstrapList(bootstrap)) out.flags.bootstrap = bootstrap;
    else say(`commonConfig: bootstrap.servers must be host:port[,host:port…] (got '${bootstrap}')`);
  }
  out.common = settings;
}

/**
 * What OMB's producers do when producerConfig leaves a setting out: the Java client's default (kafka-clients 3.6.1,
 * OMB's): no compression, 16 KiB batches, no linger, acks=all with idempotence, not DataStorm's LZ4 and 16 MB batches.
 */
const JAVA_PRODUCER_DEFAULTS: Record<string, string | boolean> = {
  acks: 'all',
  'linger-ms': '0',
  'batch-bytes': '16384',
  compression: 'none',
};

function producerOf(properties: Map<string, string>, out: OmbDriver, say: (p: string) => void): void {
  const left = new Map(properties);
  Object.assign(out.flags, JAVA_PRODUCER_DEFAULTS);
  for (const [key, flag] of Object.entries(PRODUCER_FLAGS)) {
    const v = left.get(key);
    if (v === undefined) continue;
    out.flags[flag] = v.trim().toLowerCase();
    left.delete(key);
  }
  const idempotence = left.get('enable.idempotence');
  // The Java client turns idempotence off by itself when acks is not all and nobody asked for it.
  out.flags.idempotence = out.flags.acks === 'all' || out.flags.acks === '-1';
  if (idempotence !== undefined) {
    left.delete('enable.idempotence');
    const v = idempotence.trim().toLowerCase();
    if (v === 'true' || v === 'false') out.flags.idempotence = v === 'true';
    else say(`producerConfig: enable.idempotence must be true or false (got '${idempotence}')`);
  }
  // Java's largest request is librdkafka's message.max.bytes.
  const request = left.get('max.request.size');
  if (request !== undefined) {
    left.delete('max.request.size');
    left.set('message.max.bytes', request);
  }
  const { settings, bootstrap } = translated(left, 'producerConfig', say);
  if (bootstrap !== undefined) say('producerConfig: bootstrap.servers belongs in commonConfig');
  out.producer = settings;
}

function consumerOf(properties: Map<string, string>, out: OmbDriver, say: (p: string) => void): void {
  const left = new Map(properties);
  // The run commits each group's start before anything is written; a partition without it is read from its start.
  const reset = left.get('auto.offset.reset');
  if (reset !== undefined) {
    left.delete('auto.offset.reset');
    if (reset.trim() !== 'earliest')
      say(
        `consumerConfig: auto.offset.reset must be earliest (the readers start where the run began) (got '${reset}')`,
      );
  }
  const { settings, bootstrap } = translated(left, 'consumerConfig', say);
  if (bootstrap !== undefined) say('consumerConfig: bootstrap.servers belongs in commonConfig');
  out.consumer = settings;
}
