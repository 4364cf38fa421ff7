/**
 * What a storm writes, from its --schema, --quickstart or --proto: the tweet schema (the default, and any schema
 * starting with the tweet's head fields run_id, producer_id, seq, id, created_at: tweets with extra fields), any other
 * Avro record schema (generate/record-plan.ts, as Avro or JSON) or a Protobuf message (generate/proto-plan.ts), both
 * compiled into record plans. Read and checked before anything starts; every problem of a schema, its hints and its
 * key field in one line naming each field. The registry's frame for a schema id is made here too.
 */
import avro from 'avsc';
import { DataStormError } from '../errors.js';
import { Sfc32 } from '../random.js';
import { frameOf } from '../registry/framing.js';
import { type RegistrySettings, subjectOf } from '../registry/registry-options.js';
import { SchemaRegistry } from '../registry/schema-registry.js';
import { type KeySpec, keyText } from '../scenario/keys.js';
import { readUserFile } from '../user-file.js';
import { type PayloadSpec, payloadPlan } from './payload-plan.js';
import { compileProtoPlan, loadProto, messageIndexBytes, type ProtoSchema } from './proto-plan.js';
import { compileRecordPlan, type KeyChoice, type RecordFormat, type RecordPlan } from './record-plan.js';
import { withoutComments } from './schema-json.js';
import { DEFAULT_SCHEMA, loadTweetType } from './tweet-encoder.js';

/** A schema file is kilobytes; anything near this is not one. */
const MAX_SCHEMA_BYTES = 1 << 20;

/** Flags that only mean something for tweets: refused with any other schema. */
export const TWEET_ONLY_FLAGS = ['mode', 'sentiment', 'volatility', 'swing-every', 'brands'] as const;

/**
 * What the run writes: tweets, records of an Avro schema (its JSON, comments dropped: what a registry is given) or
 * messages of a Protobuf type; with the full name the record name strategies use.
 */
export type StormSchema = { fullName: string } & (
  | { kind: 'tweet'; json: unknown; type: avro.Type }
  | { kind: 'record'; json: unknown; name: string; plan?: RecordPlan }
  | { kind: 'proto'; proto: ProtoSchema; name: string; plan?: RecordPlan }
);

export interface SchemaChoice {
  /** --schema-registry: records are framed (JSON cannot be). */
  registry?: unknown;
  schema?: string;
  /** The datagen quickstart the schema came from (--quickstart), named in messages instead of its file. */
  quickstart?: string;
  keyField?: string;
  keys: KeySpec;
  /** What records are written as (--format): Avro binary or JSON. */
  format: RecordFormat;
  /** --proto FILE --message NAME: Protobuf messages instead of Avro. */
  proto?: string;
  message?: string;
  /** The tweet-only flags the user gave (TWEET_ONLY_FLAGS). */
  tweetFlags: readonly string[];
  /** How deep a recursive type nests in a message (--max-depth). */
  maxDepth: number;
  /** --payload FILE or --payload-size N: raw payloads instead of records (generate/payload-plan.ts). */
  payload?: PayloadSpec;
}

/** How many times this process read and compiled a schema (a test holds it to once per process). */
let loads = 0;
export const schemaLoads = (): number => loads;
/** The schemas this process loaded for checking, by what was chosen: the CLI's check and the engine's are one load. */
const checked = new Map<string, StormSchema>();

/**
 * The run's schema, checked with its key field and flags and compiled once into its record plan (schema.plan) with
 * `draws` for its pools; throws SCHEMA (or INVALID_OPTION for a tweet flag). Without draws (a check), a process loads
 * a choice once; a child gives its own draws, so that each child's pools are its own, and compiles once.
 */
export function loadStormSchema(choice: SchemaChoice, draws?: Sfc32): StormSchema {
  const c = choice;
  const key = JSON.stringify([
    c.schema,
    c.quickstart,
    c.keyField,
    c.keys,
    c.format,
    c.proto,
    c.message,
    c.tweetFlags,
    c.maxDepth,
    c.payload,
  ]).concat(c.registry ? ' framed' : '');
  const seen = draws ? undefined : checked.get(key);
  if (seen) return seen;
  loads++;
  const schema = readStormSchema(choice, draws ?? new Sfc32(1));
  if (!draws) checked.set(key, schema);
  return schema;
}

function readStormSchema(choice: SchemaChoice, draws: Sfc32): StormSchema {
  if (choice.payload) {
    refuseTweetFlags(choice.tweetFlags, 'payloads are not tweets');
    const name = choice.payload.kind === 'file' ? 'payload' : 'random payload';
    return { kind: 'record', json: null, name, fullName: name, plan: payloadPlan(choice.payload, draws) };
  }
  if (choice.proto !== undefined) return loadProtoSchema(choice, choice.proto, choice.message ?? '', draws);
  const json = readSchemaJson(choice.schema);
  if (isTweetSchema(json)) {
    if (choice.keyField !== undefined)
      throw new DataStormError(
        'INVALID_OPTION',
        `--key-field ${choice.keyField}: a key field is for record schemas; tweets are keyed by their user (--keys)`,
      );
    if (choice.format === 'json')
      throw new DataStormError(
        'INVALID_OPTION',
        '--format json is for record schemas (--schema, --quickstart): tweets are Avro, which pulse and verify read',
      );
    const type = loadTweetType(choice.schema);
    return { kind: 'tweet', type, json, fullName: type.name ?? 'Tweet' };
  }
  const what = choice.quickstart !== undefined ? `--quickstart ${choice.quickstart}` : `--schema ${choice.schema}`;
  refuseTweetFlags(choice.tweetFlags, `${what} is not a tweet schema`);
  if (choice.format === 'json' && choice.registry)
    throw new DataStormError(
      'INVALID_OPTION',
      "--format json with --schema-registry: the registry's JSON Schema framing is not supported; use Avro",
    );
  const schema: StormSchema = { kind: 'record', json, name: String((json as { name?: unknown }).name), fullName: '' };
  const { plan, problems } = planOf(schema, choice, draws);
  if (problems.length) throw new DataStormError('SCHEMA', `${what}: ${problems.join('; ')}`);
  schema.plan = plan;
  // Only once the plan found the schema valid: avsc throws on an invalid one.
  schema.fullName = avro.Type.forSchema(json as avro.Schema).name ?? '';
  return schema;
}

function loadProtoSchema(choice: SchemaChoice, file: string, message: string, draws: Sfc32): StormSchema {
  refuseTweetFlags(choice.tweetFlags, `--proto ${file} is not the tweet schema`);
  if (choice.format === 'json')
    throw new DataStormError('INVALID_OPTION', '--format json is for Avro schemas: --proto messages are Protobuf');
  const { schema: proto, problems } = loadProto(file, message);
  if (!proto) throw new DataStormError('SCHEMA', problems.join('; '));
  const schema: StormSchema = { kind: 'proto', proto, name: proto.type.name, fullName: proto.type.fullName.slice(1) };
  const compiled = planOf(schema, choice, draws);
  if (compiled.problems.length) throw new DataStormError('SCHEMA', `--proto ${file}: ${compiled.problems.join('; ')}`);
  schema.plan = compiled.plan;
  return schema;
}

function refuseTweetFlags(given: readonly string[], why: string): void {
  if (given.length)
    throw new DataStormError(
      'INVALID_OPTION',
      `${given.map((f) => `--${f}`).join(', ')} only mean${given.length > 1 ? '' : 's'} something for tweets; ` +
        `${why} (leave ${given.length > 1 ? 'them' : 'it'} out)`,
    );
}

/** The plan of a checked record or Protobuf schema, drawing its pools from `draws`. */
export function planOf(
  schema: Exclude<StormSchema, { kind: 'tweet' }>,
  choice: Omit<SchemaChoice, 'tweetFlags'>,
  draws: Sfc32,
): { plan?: RecordPlan; problems: string[] } {
  const keys = choice.keys;
  const key: KeyChoice | undefined =
    choice.keyField === undefined
      ? undefined
      : { field: choice.keyField, drawn: keys.kind === 'none' ? undefined : { n: keys.n, keyText } };
  if (schema.kind === 'proto') return compileProtoPlan(schema.proto, draws, key, choice.maxDepth);
  return compileRecordPlan(schema.json, draws, key, choice.format, choice.maxDepth);
}

function readSchemaJson(file: string | undefined): unknown {
  const what = file === undefined ? `schema ${DEFAULT_SCHEMA}` : `--schema ${file}`;
  const { text, problem } = readUserFile(file ?? DEFAULT_SCHEMA, MAX_SCHEMA_BYTES);
  if (problem !== undefined) throw new DataStormError('SCHEMA', `${what}: cannot read it (${problem})`);
  try {
    return JSON.parse(withoutComments(text));
  } catch (e) {
    throw new DataStormError('SCHEMA', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A record whose first field is the tweet's run_id: the tweet schema, perhaps with extra fields. */
function isTweetSchema(json: unknown): boolean {
  const fields = (json as { fields?: { name?: unknown }[] } | null)?.fields;
  return Array.isArray(fields) && fields[0]?.name === 'run_id';
}

/** Registers the run's schema under its subject (the settings' strategy) and returns the id that frames its records. */
export function registerSchema(settings: RegistrySettings, topic: string, schema: StormSchema): Promise<number> {
  const subject = subjectOf(settings.strategy, topic, schema.fullName);
  const registry = new SchemaRegistry(settings);
  if (schema.kind === 'proto') return registry.register(subject, schema.proto.text, 'PROTOBUF');
  return registry.register(subject, JSON.stringify(schema.json), 'AVRO');
}

/** The bytes before every message of a schema id: the wire format's frame, and a Protobuf message's indexes. */
export function frameFor(schema: StormSchema, schemaId: number): Buffer {
  const frame = frameOf(schemaId);
  return schema.kind === 'proto' ? Buffer.concat([frame, messageIndexBytes(schema.proto.indexes)]) : frame;
}
