/**
 * Avro encoding of tweets, prepared at start so the hot path only copies bytes (in C: generate/tweet-plan.ts).
 *
 * A record's Avro encoding is the concatenation of its fields' encodings, so a tweet is
 *   [run_id, producer_id]  constant per producer: encoded once
 *   [seq, id, created_at]  three zig-zag varints written per message
 *   [user … sentiment]     the "tail": pre-encoded for every tweet of the pool
 * The result is byte-for-byte what avsc's Type.toBuffer gives for the same record (a unit test holds it to that).
 */
import path from 'node:path';
import avro from 'avsc';
import { DataStormError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { Rng } from '../random.js';
import { readUserFile } from '../user-file.js';
import { SENTIMENTS, type Sentiment } from './mix.js';
import { composeTweet, type TweetContent } from './texts.js';

export const DEFAULT_SCHEMA = path.join(PACKAGE_ROOT, 'schemas/tweet.avsc');
const HEAD_FIELDS = ['run_id', 'producer_id', 'seq', 'id', 'created_at'] as const;

export interface Tweet extends TweetContent {
  run_id: string;
  producer_id: string;
  seq: number;
  id: number;
  created_at: number;
}

/** Loads and checks the tweet schema; a malformed or incompatible file is a SCHEMA error with one clear line. */
/** A record schema is kilobytes; anything near this is not one. */
const MAX_SCHEMA_BYTES = 1 << 20;

export function loadTweetType(file?: string): avro.Type {
  // A user's file is named by its option; the built-in one by its path.
  const what = file === undefined ? `schema ${DEFAULT_SCHEMA}` : `--schema ${file}`;
  const { text, problem } = readUserFile(file ?? DEFAULT_SCHEMA, MAX_SCHEMA_BYTES);
  if (problem !== undefined) throw new DataStormError('SCHEMA', `${what}: cannot read it (${problem})`);
  let schema: { fields?: { name: string }[] };
  try {
    schema = JSON.parse(text);
  } catch (e) {
    throw new DataStormError('SCHEMA', `${what} is not valid JSON: ${(e as Error).message}`);
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(schema as avro.Schema, { logicalTypes: {} });
  } catch (e) {
    throw new DataStormError('SCHEMA', `${what} is not a valid Avro schema: ${(e as Error).message}`);
  }
  const names = (schema.fields ?? []).map((f) => f.name);
  if (HEAD_FIELDS.some((f, i) => names[i] !== f)) {
    throw new DataStormError(
      'SCHEMA',
      `${what} must start with the fields ${HEAD_FIELDS.join(', ')} (has ${names.slice(0, 5).join(', ') || 'none'})`,
    );
  }
  const unknown = (schema.fields as { name: string; default?: unknown }[]).filter(
    (f) => !GENERATED.has(f.name) && !('default' in f),
  );
  if (unknown.length)
    throw new DataStormError(
      'SCHEMA',
      `${what}: field '${unknown[0].name}' is not one DataStorm generates and has no default; give it a "default"`,
    );
  const misfit = misfitField(type);
  if (misfit) throw new DataStormError('SCHEMA', `${what}: ${misfit}`);
  return type;
}

/** What each generated field must be for the generator to write it and the reader to read it. */
const FIELD_TYPES: Record<string, (t: avro.Type) => boolean> = {
  run_id: (t) => t.typeName === 'string',
  producer_id: (t) => t.typeName === 'string',
  seq: (t) => t.typeName === 'long',
  id: (t) => t.typeName === 'long',
  created_at: (t) => t.typeName === 'long', // timestamp-millis is a long underneath
  text: (t) => t.typeName === 'string',
  brand: (t) => t.typeName === 'string',
  product: (t) => t.typeName === 'string',
  lang: (t) => t.typeName === 'string',
  hashtags: (t) => t.typeName === 'array' && (t as avro.types.ArrayType).itemsType.typeName === 'string',
  sentiment: (t) =>
    t.typeName === 'enum' &&
    ['positive', 'negative', 'neutral'].every((x) => (t as avro.types.EnumType).symbols.includes(x)),
  user: (t) => {
    if (t.typeName !== 'record') return false;
    const f = (n: string) => (t as avro.types.RecordType).field(n)?.type.typeName;
    return (
      f('handle') === 'string' && (f('followers') === 'int' || f('followers') === 'long') && f('verified') === 'boolean'
    );
  },
};
const FIELD_WANTS: Record<string, string> = {
  seq: 'long',
  id: 'long',
  created_at: 'long (or timestamp-millis)',
  hashtags: 'an array of strings',
  sentiment: 'an enum with the symbols positive, negative and neutral',
  user: 'a record of handle (string), followers (int or long) and verified (boolean)',
};

/** The first generated field whose type does not fit, said in one line; undefined when all fit. */
function misfitField(type: avro.Type): string | undefined {
  for (const field of (type as avro.types.RecordType).fields) {
    const fits = Object.hasOwn(FIELD_TYPES, field.name) ? FIELD_TYPES[field.name] : undefined;
    if (!fits || fits(field.type)) continue;
    const is = field.type.typeName.startsWith('union') ? 'a union' : field.type.typeName;
    const wants = (Object.hasOwn(FIELD_WANTS, field.name) ? FIELD_WANTS[field.name] : undefined) ?? 'string';
    return `field '${field.name}' must be ${wants} for DataStorm to generate it (is ${is})`;
  }
  return undefined;
}

/** Fields the generator fills; any other field of a user's schema takes its default. */
const GENERATED = new Set([...HEAD_FIELDS, 'user', 'text', 'brand', 'product', 'hashtags', 'lang', 'sentiment']);

/** Type of the tail: the same fields after the head, as their own record (same bytes). */
function tailType(full: avro.Type): avro.Type {
  const schema = full.schema({ exportAttrs: true }) as { fields: unknown[]; name?: string };
  return avro.Type.forSchema(
    { type: 'record', name: 'TweetTail', fields: schema.fields.slice(HEAD_FIELDS.length) } as avro.Schema,
    {
      logicalTypes: {},
    },
  );
}

/** Writes the zig-zag varint of a non-negative safe integer at off; returns the new offset. */
export function writeLong(buf: Buffer, off: number, n: number): number {
  let z = n * 2; // zig-zag of n >= 0; numbers here stay below 2^52
  while (z >= 0x80) {
    buf[off++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[off++] = z;
  return off;
}

export interface TweetPool {
  /** Pre-encoded tails per sentiment index (0 positive, 1 negative, 2 neutral). */
  tails: Buffer[][];
  /** The content behind each tail, for tests and the text preview. */
  contents: TweetContent[][];
  /** The longest tail, for sizing the batch buffer. */
  maxTail: number;
  /**
   * Per tail, how many bytes at its start are the user's handle (an Avro string), so a keyed storm can write the key
   * there instead; null when the schema does not start the tail with user.handle (a reordered --schema).
   */
  handleBytes: Uint16Array[] | null;
}

export function buildPool(type: avro.Type, rng: Rng, brands: readonly string[], perSentiment = 1024): TweetPool {
  const tail = tailType(type);
  const str = avro.Type.forSchema('string');
  const first = (tail as avro.types.RecordType).fields[0];
  const handleFirst = first?.name === 'user' && (first.type as avro.types.RecordType).fields?.[0]?.name === 'handle';
  const handleBytes: Uint16Array[] | null = handleFirst ? [] : null;
  const tails: Buffer[][] = [];
  const contents: TweetContent[][] = [];
  let maxTail = 0;
  // clone() fills fields the generator does not know (a user's extra fields) with their schema defaults; without
  // such fields it is skipped (a tenth of a second of every child's start).
  const fill = (tail as avro.types.RecordType).fields.every((f) => GENERATED.has(f.name))
    ? (r: object) => r
    : (r: object) => tail.clone(r);
  for (const s of SENTIMENTS) {
    const bs: Buffer[] = [];
    const cs: TweetContent[] = [];
    const hs = new Uint16Array(perSentiment);
    for (let i = 0; i < perSentiment; i++) {
      const c = composeTweet(rng, brands, s as Sentiment);
      const b = tail.toBuffer(
        fill({
          user: { handle: c.handle, followers: c.followers, verified: c.verified },
          text: c.text,
          brand: c.brand,
          product: c.product,
          hashtags: c.hashtags,
          lang: c.lang,
          sentiment: c.sentiment,
        }),
      );
      bs.push(b);
      cs.push(c);
      hs[i] = str.toBuffer(c.handle).length;
      if (b.length > maxTail) maxTail = b.length;
    }
    tails.push(bs);
    contents.push(cs);
    handleBytes?.push(hs);
  }
  return { tails, contents, maxTail, handleBytes };
}

/** Encodes the constant head of one producer. */
export function encodePrefix(runId: string, producerId: string): Buffer {
  const str = avro.Type.forSchema('string');
  return Buffer.concat([str.toBuffer(runId), str.toBuffer(producerId)]);
}

/**
 * Encodes one tweet at `off` in `out`: prefix, seq, id, created_at, tail. Returns the end offset. `out` must have room
 * for prefix + 30 + tail bytes. One message at a time, for tests and tools that craft single tweets; a storm's batches
 * are written in C by the same layout (generate/tweet-plan.ts).
 */
export function encodeTweet(
  out: Buffer,
  off: number,
  prefix: Buffer,
  seq: number,
  id: number,
  createdAt: number,
  tail: Buffer,
): number {
  off += prefix.copy(out, off);
  off = writeLong(out, off, seq);
  off = writeLong(out, off, id);
  off = writeLong(out, off, createdAt);
  off += tail.copy(out, off);
  return off;
}

/** Decodes one encoded tweet (readers, tests, verify). A plain object built field by field: spreading avsc's record
 * instances is several times slower than decoding them. */
export function decodeTweet(type: avro.Type, buf: Buffer): Tweet {
  const t = type.fromBuffer(buf) as Tweet & { user: { handle: string; followers: number; verified: boolean } };
  return {
    run_id: t.run_id,
    producer_id: t.producer_id,
    seq: t.seq,
    id: t.id,
    created_at: t.created_at,
    handle: t.user.handle,
    followers: t.user.followers,
    verified: t.user.verified,
    text: t.text,
    brand: t.brand,
    product: t.product,
    hashtags: t.hashtags,
    lang: t.lang,
    sentiment: t.sentiment,
  };
}
