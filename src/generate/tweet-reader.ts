/**
 * Reads the few fields a reader needs straight from a tweet's Avro bytes, without building a record: pulse wants
 * brand, sentiment and created_at (text for its points store), verify wants run_id, producer_id, seq and created_at.
 *
 * The plan is compiled once from the schema (a user's --schema with extra fields included): one step per field in
 * order; a wanted field is decoded, every other one skipped by its length. The whole record is still walked, to its
 * last byte, so a message that is not a tweet of this schema (truncated, trailing bytes, an enum index out of range,
 * another schema) is caught as surely as a full decode would catch it. A unit test holds it equal to avsc.
 * Given a BrandTable, the brand is read as its index in the table instead of a string (pulse's counts store: no string
 * per tweet).
 */
import type avro from 'avsc';
import type { BrandTable } from './brand-table.js';

export const READABLE_FIELDS = [
  'run_id',
  'producer_id',
  'seq',
  'id',
  'created_at',
  'text',
  'brand',
  'sentiment',
] as const;
export type ReadableField = (typeof READABLE_FIELDS)[number];

/** The fields read from one message; one object reused for every message (copy what you keep). */
export interface TweetView {
  run_id: string;
  producer_id: string;
  seq: number;
  id: number;
  created_at: number;
  text: string;
  brand: string;
  sentiment: string;
  /** Index of the sentiment among the schema's symbols (0 positive, 1 negative, 2 neutral in the built-in schema). */
  sentimentIndex: number;
  /** The brand's index in the reader's BrandTable (-1 without one; `brand` is then the string). */
  brandIndex: number;
}

class Cursor {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;
}

/** Thrown (one shared instance: no stack to capture) when the bytes are not a record of the schema. */
const MALFORMED = new Error('not a record of the schema');

type Step = (c: Cursor, v: TweetView) => void;

function readLong(c: Cursor): number {
  const buf = c.buf;
  let n = 0,
    mul = 1,
    b: number;
  do {
    if (c.pos >= c.end || mul > 2 ** 63) throw MALFORMED;
    b = buf[c.pos++];
    n += (b & 0x7f) * mul;
    mul *= 128;
  } while (b & 0x80);
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function skipBytes(c: Cursor): void {
  const len = readLong(c);
  if (len < 0 || c.pos + len > c.end) throw MALFORMED;
  c.pos += len;
}

function readString(c: Cursor): string {
  const len = readLong(c);
  if (len < 0 || c.pos + len > c.end) throw MALFORMED;
  const s = c.buf.toString('utf8', c.pos, c.pos + len);
  c.pos += len;
  return s;
}

function skipFixed(size: number): (c: Cursor) => void {
  return (c) => {
    if (c.pos + size > c.end) throw MALFORMED;
    c.pos += size;
  };
}

/** A skipper for any Avro type (records, arrays, maps and unions recursively). */
function skipper(t: avro.Type): (c: Cursor) => void {
  const name = t.typeName;
  switch (name) {
    case 'null':
      return () => {};
    case 'boolean':
      return (c) => {
        if (c.pos >= c.end || c.buf[c.pos] > 1) throw MALFORMED;
        c.pos++;
      };
    case 'int':
    case 'long':
      return (c) => void readLong(c);
    case 'float':
      return skipFixed(4);
    case 'double':
      return skipFixed(8);
    case 'string':
    case 'bytes':
      return skipBytes;
    case 'fixed':
      return skipFixed((t as unknown as { size: number }).size);
    case 'enum': {
      const n = (t as unknown as { symbols: string[] }).symbols.length;
      return (c) => {
        const i = readLong(c);
        if (i < 0 || i >= n) throw MALFORMED;
      };
    }
    case 'array':
    case 'map': {
      const item = skipper(
        name === 'array'
          ? (t as unknown as { itemsType: avro.Type }).itemsType
          : (t as unknown as { valuesType: avro.Type }).valuesType,
      );
      const isMap = name === 'map';
      return (c) => {
        for (;;) {
          let n = readLong(c);
          if (n === 0) return;
          if (n < 0) {
            n = -n;
            skipBytes(c); // a negative count is followed by the block's size in bytes
            continue;
          }
          for (let i = 0; i < n; i++) {
            if (isMap) skipBytes(c);
            item(c);
          }
        }
      };
    }
    case 'record':
    case 'error': {
      const steps = (t as unknown as { fields: { type: avro.Type }[] }).fields.map((f) => skipper(f.type));
      return (c) => {
        for (const s of steps) s(c);
      };
    }
    default: {
      if (name.startsWith('union')) {
        const branches = (t as unknown as { types: avro.Type[] }).types.map(skipper);
        return (c) => {
          const i = readLong(c);
          if (i < 0 || i >= branches.length) throw MALFORMED;
          branches[i](c);
        };
      }
      // Logical types carry their underlying type.
      const under = (t as unknown as { underlyingType?: avro.Type }).underlyingType;
      if (under) return skipper(under);
      throw new Error(`cannot read Avro type ${name}`);
    }
  }
}

function reader(field: ReadableField, t: avro.Type, brands?: BrandTable): Step {
  switch (field) {
    case 'run_id':
      return (c, v) => {
        v.run_id = readString(c);
      };
    case 'producer_id':
      return (c, v) => {
        v.producer_id = readString(c);
      };
    case 'text':
      return (c, v) => {
        v.text = readString(c);
      };
    case 'brand':
      if (brands)
        return (c, v) => {
          const len = readLong(c);
          if (len < 0 || c.pos + len > c.end) throw MALFORMED;
          v.brandIndex = brands.intern(c.buf, c.pos, len);
          c.pos += len;
        };
      return (c, v) => {
        v.brand = readString(c);
      };
    case 'seq':
      return (c, v) => {
        v.seq = readLong(c);
      };
    case 'id':
      return (c, v) => {
        v.id = readLong(c);
      };
    case 'created_at':
      return (c, v) => {
        v.created_at = readLong(c);
      };
    case 'sentiment': {
      const symbols = (t as unknown as { symbols: string[] }).symbols;
      return (c, v) => {
        const i = readLong(c);
        if (i < 0 || i >= symbols.length) throw MALFORMED;
        v.sentimentIndex = i;
        v.sentiment = symbols[i];
      };
    }
  }
}

export class TweetReader {
  private readonly steps: Step[];
  private readonly c = new Cursor();
  private readonly view: TweetView = {
    run_id: '',
    producer_id: '',
    seq: 0,
    id: 0,
    created_at: 0,
    text: '',
    brand: '',
    sentiment: '',
    sentimentIndex: 0,
    brandIndex: -1,
  };

  /** `brands`: read the brand as its index in this table (`brandIndex`), not as a string. */
  constructor(type: avro.Type, fields: readonly ReadableField[], brands?: BrandTable) {
    const want = new Set<string>(fields);
    const recordFields = (type as unknown as { fields: { name: string; type: avro.Type }[] }).fields;
    this.steps = recordFields.map((f) =>
      want.has(f.name) ? reader(f.name as ReadableField, f.type, brands) : skipper(f.type),
    );
  }

  /** The wanted fields of the tweet in buf[start..end), or null when those bytes are not a tweet of the schema. */
  read(buf: Buffer, start: number, end: number): TweetView | null {
    const c = this.c;
    c.buf = buf;
    c.pos = start;
    c.end = end;
    try {
      for (const s of this.steps) s(c, this.view);
    } catch (e) {
      if (e === MALFORMED) return null;
      throw e;
    }
    return c.pos === end ? this.view : null;
  }
}
