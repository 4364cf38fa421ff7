/**
 * A Protobuf message (--proto FILE --message NAME, read by protobufjs) compiled into a record plan. A message's
 * encoding is its fields' encodings (tag and value) back to back, in any order, so each field is pooled as Avro's
 * are: POOL_SIZE values drawn by type at start, each encoded alone by protobufjs; a oneof is one pool of its members'
 * values; a message is a few copies. Values by type: numbers across their type's range (64-bit ones within
 * JavaScript's exact integers), strings of 8-16 letters and digits, bytes, enums' values, nested messages three
 * levels deep, 1-4 repeated items, 1-3 map entries. A top-level scalar field can be the key (--key-field).
 */
import { createRequire } from 'node:module';
import type pb from 'protobufjs';
import type { Draws } from '../random.js';
import { readUserFile } from '../user-file.js';
import { type KeySegment, type TextedValues, textedPool } from './record-key.js';
import { type KeyChoice, mergePools, POOL_SIZE, RecordPlan, type Segment } from './record-plan.js';
import { DEFAULT_MAX_DEPTH, MAX_RECURSIVE_COPIES } from './recursion.js';
import type { SchemaNode } from './schema-tree.js';

/** protobufjs, loaded when a .proto is first read: a storm of tweets or Avro records never pays its load (about 30 ms
 * of CPU in each of its processes). */
let loaded: typeof pb | undefined;
const protobuf = (): typeof pb => {
  loaded ??= createRequire(import.meta.url)('protobufjs') as typeof pb;
  return loaded;
};

export interface ProtoSchema {
  /** The .proto file's text, as a registry is given it. */
  text: string;
  type: pb.Type;
  /** Where the message is in its file: Confluent's message indexes (top-level index, then nested ones). */
  indexes: number[];
}

const MAX_PROTO_BYTES = 1 << 20;
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const KEY_TYPES = new Set(['string', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64']);

/** The message of a .proto file, or every problem in one line each naming --proto or --message. */
export function loadProto(file: string, message: string): { schema?: ProtoSchema; problems: string[] } {
  const { text, problem } = readUserFile(file, MAX_PROTO_BYTES);
  if (problem !== undefined) return { problems: [`--proto ${file}: cannot read it (${problem})`] };
  let root: pb.Root;
  try {
    root = protobuf().parse(text, { keepCase: true }).root;
    root.resolveAll();
  } catch (e) {
    return { problems: [`--proto ${file}: not a valid .proto file: ${(e as Error).message}`] };
  }
  // protobufjs keeps a message's fields in a plain object, where a field named __proto__ would vanish unsaid.
  if (/\b__proto__\s*=\s*\d/.test(text))
    return {
      problems: [`--proto ${file}: a field named __proto__: protobufjs, which reads .proto files here, cannot hold it`],
    };
  const types = messagesOf(root);
  const type = types.find((t) => t.fullName.slice(1) === message || t.name === message);
  if (!type) {
    const names = types.map((t) => t.fullName.slice(1)).join(', ') || 'none';
    return { problems: [`--message ${message}: no message of that name in ${file} (it has: ${names})`] };
  }
  return { schema: { text, type, indexes: indexesOf(type) }, problems: [] };
}

/** Every message type of the file, nested ones too. */
function messagesOf(ns: pb.NamespaceBase): pb.Type[] {
  const out: pb.Type[] = [];
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf().Type) out.push(nested);
    if (nested instanceof protobuf().Namespace || nested instanceof protobuf().Type) out.push(...messagesOf(nested));
  }
  return out;
}

/** A message's index among its parent's messages, for each level from the file's top. */
function indexesOf(type: pb.Type): number[] {
  const path: number[] = [];
  for (let t: pb.ReflectionObject = type; t.parent && t instanceof protobuf().Type; t = t.parent) {
    const siblings = t.parent.nestedArray.filter((n) => n instanceof protobuf().Type);
    path.unshift(siblings.indexOf(t));
  }
  return path;
}

/** Confluent's message-index array after the frame: [0] as the single byte 0, else a count and zig-zag varints. */
export function messageIndexBytes(indexes: number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  return Buffer.from([indexes.length, ...indexes].flatMap((n) => zigzag(n)));
}

function zigzag(n: number): number[] {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
  return out;
}

/** The plan of a message, or every problem with its key field. */
export function compileProtoPlan(
  schema: ProtoSchema,
  draws: Draws,
  key?: KeyChoice,
  maxDepth = DEFAULT_MAX_DEPTH,
): { plan?: RecordPlan; problems: string[] } {
  const type = schema.type;
  const keyField = key && Object.hasOwn(type.fields, key.field) ? type.fields[key.field] : undefined;
  if (key && !keyField) return { problems: [`--key-field ${key.field}: ${type.name} has no field of that name`] };
  if (key && keyField && (keyField.repeated || keyField.map || keyField.partOf || !KEY_TYPES.has(keyField.type)))
    return { problems: [`--key-field ${key.field}: the key field must be a string or integer field, not repeated`] };
  const values = new ProtoValues(draws, type, maxDepth);
  const segments: Segment[] = [];
  const oneofs = new Set<pb.OneOf>();
  for (const field of type.fieldsArray) {
    if (field.partOf) {
      if (oneofs.has(field.partOf)) continue;
      oneofs.add(field.partOf);
      segments.push(pool(field.partOf.name, (i) => values.oneof(type, field.partOf as pb.OneOf, i)));
    } else if (field === keyField && key) segments.push(keySegment(type, field, key, values));
    else segments.push(pool(field.name, () => encodeField(type, field.name, values.top(field))));
  }
  return { plan: new RecordPlan(mergePools(segments, draws)), problems: [] };
}

function pool(path: string, entry: (i: number) => Buffer): Segment {
  const parts = Array.from({ length: POOL_SIZE }, (_, i) => entry(i));
  const ends = new Uint32Array(parts.length);
  let end = 0;
  for (let i = 0; i < parts.length; i++) ends[i] = end += parts[i].length;
  return { kind: 'pool', path, bytes: Buffer.concat(parts), ends };
}

const encodeField = (type: pb.Type, name: string, value: unknown) =>
  Buffer.from(type.encode(type.fromObject({ [name]: value })).finish());

function keySegment(type: pb.Type, field: pb.Field, key: KeyChoice, values: ProtoValues): KeySegment {
  const isString = field.type === 'string';
  const drawn = key.drawn;
  const raw = drawn
    ? Array.from({ length: drawn.n }, (_, i) => (isString ? drawn.keyText(i) : i))
    : Array.from({ length: POOL_SIZE }, () => values.top(field));
  const bytes = raw.map((v) => encodeField(type, field.name, v));
  const texted: TextedValues = textedPool(NO_NODE, bytes, bytes, (i) => String(raw[i]));
  return { kind: drawn ? 'key-drawn' : 'key-pool', path: field.name, ...texted };
}

/** textedPool reads texts from its node only when none are given; they always are here. */
const NO_NODE = undefined as unknown as SchemaNode;

/**
 * Values of Protobuf fields by type. Nested messages are written whole at any depth; a message inside itself nests at
 * most `maxDepth` deep and a value holds at most MAX_RECURSIVE_COPIES of such copies: beyond either, a field of a type
 * already open is left unset, or empty when repeated or a map (every proto3 field may be).
 */
class ProtoValues {
  private readonly open = new Map<pb.Type, number>();
  private depth = 0;
  private copies = 0;

  constructor(
    private readonly rng: Draws,
    private readonly root: pb.Type,
    private readonly maxDepth: number,
  ) {}

  /** A field of the message itself: a value of its own, inside the message. */
  top(field: pb.Field): unknown {
    this.open.clear();
    this.open.set(this.root, 1);
    this.depth = 0;
    this.copies = 0;
    return this.field(field);
  }

  private field(field: pb.Field): unknown {
    const stop = this.closesLoop(field) && (this.depth >= this.maxDepth || this.copies >= MAX_RECURSIVE_COPIES);
    if (field.map) {
      const out: Record<string, unknown> = {};
      const n = stop ? 0 : 1 + this.rng.int(3);
      for (let i = 0; i < n; i++) out[this.mapKey(field as unknown as pb.MapField)] = this.single(field);
      return out;
    }
    if (field.repeated) return Array.from({ length: stop ? 0 : 1 + this.rng.int(4) }, () => this.single(field));
    return stop ? undefined : this.single(field);
  }

  /** Whether the field's type is a message already open around it: a message inside itself. */
  private closesLoop(field: pb.Field): boolean {
    const t = field.resolvedType;
    return t instanceof protobuf().Type && (this.open.get(t) ?? 0) > 0;
  }

  /** One member of a oneof, each in turn: every member drawn about evenly. */
  oneof(type: pb.Type, oneof: pb.OneOf, i: number): Buffer {
    const member = oneof.fieldsArray[i % oneof.fieldsArray.length];
    return encodeField(type, member.name, this.top(member));
  }

  private single(field: pb.Field): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf().Enum) {
      const numbers = Object.values(resolved.values);
      return numbers[this.rng.int(numbers.length)];
    }
    if (resolved instanceof protobuf().Type) return this.message(resolved);
    return this.scalar(field.type);
  }

  private message(type: pb.Type): Record<string, unknown> {
    const n = this.open.get(type) ?? 0;
    if (n > 0) {
      this.depth++;
      this.copies++;
    }
    this.open.set(type, n + 1);
    const out: Record<string, unknown> = {};
    for (const f of type.fieldsArray)
      if (!f.partOf || f.partOf.fieldsArray[0] === f) {
        const value = this.field(f);
        if (value !== undefined) out[f.name] = value;
      }
    this.open.set(type, n);
    if (n > 0) this.depth--;
    return out;
  }

  private scalar(type: string): unknown {
    const r = this.rng;
    switch (type) {
      case 'double':
        return (r.next() - 0.5) * 2e6;
      case 'float':
        return Math.fround((r.next() - 0.5) * 2e4);
      case 'int32':
      case 'sint32':
      case 'sfixed32':
        return r.int(2 ** 32) - 2 ** 31;
      case 'uint32':
      case 'fixed32':
        return r.int(2 ** 32);
      case 'int64':
      case 'sint64':
      case 'sfixed64':
        return Math.floor((r.next() - 0.5) * 2 ** 53);
      case 'uint64':
      case 'fixed64':
        return Math.floor(r.next() * 2 ** 53);
      case 'bool':
        return r.next() < 0.5;
      case 'bytes':
        return Buffer.from(Array.from({ length: 8 + r.int(9) }, () => r.int(256)));
      default:
        return this.text();
    }
  }

  private mapKey(field: pb.MapField): string {
    return field.keyType === 'string' ? this.text() : String(this.rng.int(1_000_000));
  }

  private text(): string {
    let s = '';
    for (let i = 8 + this.rng.int(9); i > 0; i--) s += ALPHANUMERIC[this.rng.int(ALPHANUMERIC.length)];
    return s;
  }
}
