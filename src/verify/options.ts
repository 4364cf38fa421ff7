/** Verify options, parsed once: the flags and parseVerifyOptions() (typed options, or every problem at once). */
import type { Options as FlagSpec } from 'yargs';
import { type ClientSettings, clientConfigFlags, parseKafkaTarget } from '../kafka/client-config.js';
import { OptionChecks, type RawFlags } from '../option-checks.js';
import { parseRegistryOptions, type RegistrySettings, registryFlags } from '../registry/registry-options.js';
import { VERIFY_FIGURES } from '../run/figures.js';
import { parseThresholds, type Threshold, thresholdExprs } from '../thresholds/threshold.js';

export interface VerifyOptions {
  bootstrap: string;
  /** librdkafka settings from --kafka-config and -X (TLS, SASL, …). */
  client?: ClientSettings;
  topic: string;
  /** Only tweets of this storm run id. */
  runId?: string;
  /** The Avro schema the tweets were written with (default schemas/tweet.avsc). */
  schema?: string;
  /** --schema-registry: the tweets are framed with its schema ids (generate/framed-reader.ts). */
  registry?: RegistrySettings;
  /** Bars over the report's figures (--threshold), judged once the topic is read. */
  thresholds?: Threshold[];
}

/** What the flags ask for: no bootstrap means the running local cluster. */
export type VerifyRequest = Omit<VerifyOptions, 'bootstrap'> & { bootstrap?: string };

export const verifyFlags = {
  bootstrap: { type: 'string', describe: 'Kafka cluster (default: the running local cluster)' },
  ...clientConfigFlags,
  topic: { type: 'string', default: 'tweets', describe: 'topic to read from the beginning' },
  schema: { type: 'string', describe: 'Avro schema the tweets were written with (default schemas/tweet.avsc)' },
  run: { type: 'string', describe: 'only tweets of this storm run id' },
  ...registryFlags,
  threshold: {
    type: 'string',
    array: true,
    describe: "a bar over the report's figures, e.g. 'duplicated==0', 'p99<5s' (repeatable; any failed: exit 99)",
  },
} as const satisfies Record<string, FlagSpec>;

export function parseVerifyOptions(raw: RawFlags): { request?: VerifyRequest; problems: string[] } {
  const c = new OptionChecks();
  const { bootstrap, client } = parseKafkaTarget(c, raw);
  const topic = c.topic(raw.topic);
  const registry = parseRegistryOptions(c, raw);
  const gate = parseThresholds(thresholdExprs(raw.threshold), VERIFY_FIGURES);
  for (const p of gate.problems) c.add(p);
  if (c.problems.length) return { problems: c.problems };
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  return {
    problems: [],
    request: {
      bootstrap,
      client,
      topic: topic ?? 'tweets',
      runId: str(raw.run),
      schema: str(raw.schema),
      registry,
      thresholds: gate.thresholds,
    },
  };
}
