/**
 * Where the run's clients connect and with what: --bootstrap, --kafka-config and -X for every client, an OpenMessaging
 * Benchmark driver file's settings per role (--omb-driver: common, producers', readers'), and the configs of the
 * topic the storm creates (--topic-config, the driver's topicConfig). The command line wins over the driver file.
 */
import type { Options as FlagSpec } from 'yargs';
import { type ClientSettings, checkWithLibrdkafka, ownedProblems, parseKafkaTarget } from '../kafka/client-config.js';
import type { OptionChecks, RawFlags } from '../option-checks.js';
import { setOwn } from '../own-property.js';
import type { OmbDriver } from './omb-driver.js';

export const clusterSettingsFlags = {
  'omb-driver': {
    type: 'string',
    describe:
      'an OpenMessaging Benchmark Kafka driver file: its replication, topic, producer and consumer settings ' +
      '(flags win)',
  },
  'topic-config': {
    type: 'string',
    array: true,
    describe: 'a config of the topic the storm creates, key=value (repeatable), e.g. --topic-config retention.ms=60000',
  },
} as const satisfies Record<string, FlagSpec>;

export interface ClusterSettings {
  bootstrap?: string;
  /** For every client of the run. */
  client: ClientSettings;
  /** Over `client`, for the storm's producers only, and for its readers only. */
  producerClient: ClientSettings;
  readerClient: ClientSettings;
  /** Configs of the topic when the storm creates it. */
  topicConfig: Record<string, string>;
}

export function parseClusterSettings(c: OptionChecks, raw: RawFlags, driver?: OmbDriver): ClusterSettings {
  const { bootstrap, client } = parseKafkaTarget(c, raw);
  const topicConfig = { ...driver?.topic, ...parseTopicConfig(c, raw['topic-config']) };
  if (!driver) return { bootstrap, client, producerClient: {}, readerClient: {}, topicConfig };
  const where = `--omb-driver ${String(raw['omb-driver'])}`;
  const sections: [string, ClientSettings][] = [
    ['commonConfig', driver.common],
    ['producerConfig', driver.producer],
    ['consumerConfig', driver.consumer],
  ];
  for (const [section, settings] of sections) {
    for (const p of ownedProblems(settings)) c.add(`${where}: ${section}: ${p}`);
    checkWithLibrdkafka(c, settings, `${where}: ${section}`);
  }
  return {
    bootstrap,
    client: { ...driver.common, ...client },
    producerClient: driver.producer,
    readerClient: driver.consumer,
    topicConfig,
  };
}

/** --topic-config key=value…: a name and a value each (the brokers judge them when the topic is created). */
function parseTopicConfig(c: OptionChecks, given: unknown): Record<string, string> {
  const config: Record<string, string> = {};
  const items = given === undefined ? [] : Array.isArray(given) ? given.map(String) : [String(given)];
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0 || !/^[a-z][a-z0-9.]*$/.test(item.slice(0, eq).trim())) {
      c.add(`--topic-config must be key=value, a topic config such as retention.ms=60000 (got '${item}')`);
      continue;
    }
    setOwn(config, item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return config;
}
