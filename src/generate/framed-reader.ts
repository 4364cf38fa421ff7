/**
 * Tweets framed by a Schema Registry (registry/framing.ts) read with the schema each one names: the schemas registered
 * under the topic's subject are fetched once at start, by id, and each compiled into a TweetReader; a record whose id
 * is not among them, or that is not framed, is not a tweet of those schemas (undecodable, as for any reader).
 */
import avro from 'avsc';
import { FRAME_BYTES, frameIdAt } from '../registry/framing.js';
import { type RegistrySettings, subjectOf } from '../registry/registry-options.js';
import { SchemaRegistry } from '../registry/schema-registry.js';
import type { BrandTable } from './brand-table.js';
import { type ReadableField, TweetReader, type TweetView } from './tweet-reader.js';

/** Reads a tweet's wanted fields from a message: plain Avro, or framed with a registry's id. */
export interface TweetSource {
  read(buf: Buffer, start: number, end: number): TweetView | null;
}

export class FramedTweetReader implements TweetSource {
  constructor(private readonly readers: ReadonlyMap<number, TweetReader>) {}

  read(buf: Buffer, start: number, end: number): TweetView | null {
    const reader = this.readers.get(frameIdAt(buf, start, end));
    return reader ? reader.read(buf, start + FRAME_BYTES, end) : null;
  }
}

/**
 * A reader of the topic's framed tweets: every schema of its subject (the strategy's, for the tweet schema's name),
 * fetched by id; a registered schema that is not a record with the tweet's fields reads nothing (its records count
 * as undecodable). Throws when the subject holds no schema.
 */
export async function framedTweetReader(
  settings: RegistrySettings,
  topic: string,
  localTweet: avro.Type,
  fields: readonly ReadableField[],
  brands?: BrandTable,
): Promise<FramedTweetReader> {
  const subject = subjectOf(settings.strategy, topic, localTweet.name ?? '');
  const schemas = await new SchemaRegistry(settings).subjectSchemas(subject);
  const readers = new Map<number, TweetReader>();
  for (const { id, schema, schemaType } of schemas) {
    if (schemaType !== 'AVRO') continue;
    try {
      const type = avro.Type.forSchema(JSON.parse(schema), { logicalTypes: {} }) as avro.types.RecordType;
      if (fields.every((f) => type.field(f))) readers.set(id, new TweetReader(type, fields, brands));
    } catch {
      // Not an Avro record of the tweet's fields: its records are undecodable, counted by the caller.
    }
  }
  return new FramedTweetReader(readers);
}
