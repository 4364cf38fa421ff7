/**
 * Any Avro record schema compiled once into a plan that writes messages with a copy per field. A record's binary
 * encoding is its fields' encodings back to back, so the plan is the record's fields (nested records flattened into
 * theirs) as segments:
 *   pool       values drawn at start by the field's hints (or its type), each already encoded; a message takes one at
 *              random: O(1), a copy. A field with `options` pools exactly its options, drawn uniformly.
 *   iteration  a number stepping with the message's index (the run's unique message id in a storm: strictly stepping
 *              across every child and host), encoded per message
 *   now        a timestamp-millis or timestamp-micros field with no hints: the time the message is written
 * Iterations inside arrays, maps or unions step within their field's pool. A key field's segment also writes the
 * message's key (generate/record-key.ts).
 */

import type avro from 'avsc';
import type { Draws } from '../random.js';
import { iterationAt } from './arg-hints.js';
import { jsonOfAvro } from './json-value.js';
import {
  copyTexted,
  drawnValues,
  iterationText,
  type KeySegment,
  type KeySink,
  keyFieldProblem,
  longestEntry,
  textedPool,
} from './record-key.js';
import { DEFAULT_MAX_DEPTH, endlessProblems, heights } from './recursion.js';
import { readSchemaTree, type SchemaNode } from './schema-tree.js';
import { copyBytes, ValueWriter, varint } from './value-bytes.js';

/** Values pooled per field when its hints do not fix the set (options do): enough to look random, small to hold. */
export const POOL_SIZE = 4096;
/**
 * What a plan's pools may hold in all: a record too big for POOL_SIZE of each field (thousands of fields) pools fewer
 * values per field, never fewer than MIN_POOL, so that start-up time and memory grow with the schema, not past it.
 */
export const POOL_BYTES = 32 << 20;
export const MIN_POOL = 64;

export type Segment =
  | { kind: 'pool'; path: string; bytes: Buffer; ends: Uint32Array }
  | { kind: 'iteration'; path: string; node: Extract<SchemaNode, { kind: 'primitive' }> }
  | { kind: 'now'; path: string; micros: boolean }
  | KeySegment;

/** Where the message key comes from: a top-level field (--key-field), taking the drawn key under --keys (n keys). */
export interface KeyChoice {
  field: string;
  drawn?: { n: number; keyText: (i: number) => string };
}

export class RecordPlan {
  /** The longest message the plan writes, for sizing buffers. */
  readonly maxMessage: number;
  /** The longest key text it writes (0 without a key field). */
  readonly maxKey: number;

  /** `json`: the segments hold JSON text, and iterations and timestamps are written as JSON (--format json). */
  constructor(
    readonly segments: readonly Segment[],
    readonly json = false,
  ) {
    let max = 0;
    let maxKey = 0;
    for (const s of segments) {
      max += 'ends' in s ? longestEntry(s.ends) : s.kind === 'now' || s.kind === 'key-now' ? 20 : iterationMax(s.node);
      if (s.kind === 'key-pool' || s.kind === 'key-drawn') maxKey = longestEntry(s.textEnds);
      else if (s.kind === 'key-iteration') maxKey = iterationMax(s.node);
      else if (s.kind === 'key-now') maxKey = 20;
    }
    this.maxMessage = max;
    this.maxKey = maxKey;
  }

  /** The same plan with constant bytes before every message (the registry's frame). */
  prefixed(lead: Buffer): RecordPlan {
    const segment: Segment = { kind: 'pool', path: '(frame)', bytes: lead, ends: Uint32Array.of(lead.length) };
    return new RecordPlan([segment, ...this.segments], this.json);
  }

  /**
   * Writes message number `index` at `offset` of `out` (room for maxMessage); returns where it ends. With a key
   * field, its text goes to `key` (room for maxKey); under --keys the field takes key number `keyId`.
   */
  write(out: Buffer, offset: number, index: number, nowMs: number, rng: Draws, keyId = 0, key: KeySink | null = null) {
    let at = offset;
    for (const s of this.segments) {
      if (s.kind === 'pool') {
        const k = rng.int(s.ends.length);
        at = copyBytes(s.bytes, k === 0 ? 0 : s.ends[k - 1], s.ends[k], out, at);
      } else if (s.kind === 'now') at = writeNumber(out, at, s.micros ? nowMs * 1000 : nowMs, this.json);
      else if (s.kind === 'iteration') at = writeIteration(out, at, s.node, index, this.json);
      else at = writeKeySegment(s, out, at, index, nowMs, rng, keyId, key, this.json);
    }
    return at;
  }
}

function writeKeySegment(
  s: KeySegment,
  out: Buffer,
  at: number,
  index: number,
  nowMs: number,
  rng: Draws,
  keyId: number,
  key: KeySink | null,
  json: boolean,
): number {
  switch (s.kind) {
    case 'key-pool':
      return copyTexted(s, rng.int(s.ends.length), out, at, key);
    case 'key-drawn':
      return copyTexted(s, keyId, out, at, key);
    case 'key-now': {
      const value = s.micros ? nowMs * 1000 : nowMs;
      if (key) key.at += key.bytes.write(String(value), key.at, 'latin1');
      return writeNumber(out, at, value, json);
    }
    case 'key-iteration':
      if (key) key.at += key.bytes.write(iterationText(s.node, index), key.at);
      return writeIteration(out, at, s.node, index, json);
  }
}

/** Record plans write Avro binary, or the JSON of the same records (--format json). */
export type RecordFormat = 'avro' | 'json';

/**
 * The plan of a schema, or every problem with it, its hints and the key field. `maxDepth`: how deep a recursive type
 * nests in a message (--max-depth).
 */
export function compileRecordPlan(
  schema: unknown,
  rng: Draws,
  key?: KeyChoice,
  format: RecordFormat = 'avro',
  maxDepth = DEFAULT_MAX_DEPTH,
): { plan?: RecordPlan; problems: string[] } {
  const { root, problems } = readSchemaTree(schema);
  if (!root || problems.length) return { problems };
  const h = heights(root);
  const endless = endlessProblems(root, h);
  if (endless.length) return { problems: endless };
  const keyField = key && root.kind === 'record' ? root.fields.find((f) => f.name === key.field) : undefined;
  if (key && !keyField)
    return { problems: [`--key-field ${key.field}: the schema has no top-level field of that name`] };
  const keyProblem = key && keyField && keyFieldProblem(keyField.node, key.field, key.drawn !== undefined);
  if (keyProblem) return { problems: [keyProblem] };
  const values = new ValueWriter(rng, h, maxDepth);
  const poolSize = poolSizeFor(root, values);
  const compiler = new Compiler(values, format === 'json', poolSize);
  try {
    const segments = compiler.root(root, keyField && key ? { field: keyField, key } : undefined);
    return { plan: new RecordPlan(mergePools(segments, rng, poolSize), format === 'json'), problems: [] };
  } catch (e) {
    return { problems: [(e as Error).message] };
  }
}

/** POOL_SIZE values a field, or as many as POOL_BYTES holds for messages the size of a few drawn whole. */
function poolSizeFor(root: SchemaNode, values: ValueWriter): number {
  const SAMPLES = 4;
  let bytes = 0;
  try {
    for (let i = 0; i < SAMPLES; i++) bytes += values.bytes(root, i).length;
  } catch {
    return POOL_SIZE; // a value the schema refuses (a bad option): compiling names it
  }
  const perMessage = Math.max(1, bytes / SAMPLES);
  return Math.max(MIN_POOL, Math.min(POOL_SIZE, Math.floor(POOL_BYTES / perMessage)));
}

/** Walks a schema into segments: Avro's fields back to back, or JSON's object text around them. */
class Compiler {
  private readonly segments: Segment[] = [];

  /** The records being written field by field, outermost first: a record met again inside itself is pooled whole. */
  private readonly around: avro.Type[] = [];

  constructor(
    private readonly values: ValueWriter,
    private readonly json: boolean,
    private readonly poolSize: number,
  ) {}

  root(node: SchemaNode, keyed?: { field: { name: string; node: SchemaNode }; key: KeyChoice }): Segment[] {
    if (keyed && node.hints.options) this.segments.push(this.optionsKeySegment(node, keyed.key));
    else this.flatten(node, keyed);
    return this.segments;
  }

  private flatten(node: SchemaNode, keyed?: { field: { name: string; node: SchemaNode }; key: KeyChoice }): void {
    if (node.kind === 'record' && !node.hints.options && !this.around.includes(node.avro)) {
      this.around.push(node.avro);
      node.fields.forEach((f, i) => {
        if (this.json) this.literal(`${i ? ',' : '{'}${JSON.stringify(f.name)}:`);
        if (f === keyed?.field) this.segments.push(this.keySegment(f.node, keyed.key));
        else this.flatten(f.node);
      });
      this.around.pop();
      if (this.json) this.literal(node.fields.length ? '}' : '{}');
      return;
    }
    if (node.kind === 'primitive' && node.hints.iteration && !node.hints.options)
      this.segments.push({ kind: 'iteration', path: node.path, node });
    else if (isWriteTime(node))
      this.segments.push({ kind: 'now', path: node.path, micros: node.logical === 'timestamp-micros' });
    else this.pool(node.path, this.encoded(node, poolOf(node, this.values, this.poolSize, this.around)));
  }

  private literal(text: string): void {
    this.pool('(json)', [Buffer.from(text)]);
  }

  private pool(path: string, pool: Buffer[]): void {
    const ends = new Uint32Array(pool.length);
    let end = 0;
    for (let i = 0; i < pool.length; i++) ends[i] = end += pool[i].length;
    this.segments.push({ kind: 'pool', path, bytes: Buffer.concat(pool), ends });
  }

  /** Avro encodings in the plan's format: as they are, or each value's JSON text. */
  private encoded(node: SchemaNode, avroPool: Buffer[]): Buffer[] {
    return this.json ? avroPool.map((bytes) => Buffer.from(jsonOfAvro(node, bytes))) : avroPool;
  }

  /**
   * A record drawn whole from its `options` (datagen's clickstream_codes): each option with its key field's value as
   * the key text. Drawn keys cannot go into options fixed by the schema.
   */
  private optionsKeySegment(root: SchemaNode, key: KeyChoice): KeySegment {
    if (key.drawn)
      throw new Error(`--key-field ${key.field}: the record is drawn whole from its options; --keys cannot set it`);
    const options = root.hints.options ?? [];
    const pool = options.map((_, i) => optionBytes(root, i));
    const texts = options.map((o) => String((o as Record<string, unknown>)[key.field]));
    return { kind: 'key-pool', path: root.path, ...textedPool(root, pool, this.encoded(root, pool), (i) => texts[i]) };
  }

  private keySegment(node: SchemaNode, key: KeyChoice): KeySegment {
    const path = node.path;
    if (key.drawn) {
      const drawn = drawnValues(node, key.drawn.n, key.drawn.keyText);
      return { kind: 'key-drawn', path, ...textedPool(node, drawn.avro, this.encoded(node, drawn.avro), drawn.text) };
    }
    if (node.kind === 'primitive' && node.hints.iteration && !node.hints.options)
      return { kind: 'key-iteration', path, node };
    if (isWriteTime(node)) return { kind: 'key-now', path, micros: node.logical === 'timestamp-micros' };
    const pool = poolOf(node, this.values, this.poolSize, this.around);
    return { kind: 'key-pool', path, ...textedPool(node, pool, this.encoded(node, pool)) };
  }
}

/** A timestamp field without hints: written with the message's write time. */
const isWriteTime = (node: SchemaNode): node is Extract<SchemaNode, { kind: 'primitive' }> =>
  node.kind === 'primitive' &&
  node.type === 'long' &&
  /^timestamp-(millis|micros)$/.test(node.logical ?? '') &&
  Object.keys(node.hints).length === 0;

/** The longest encoding of an iteration: a varint or double, or a string of up to 24 digits with its affixes. */
const iterationMax = (node: Extract<SchemaNode, { kind: 'primitive' }>) =>
  node.type === 'string' ? 12 + 26 + 2 * Buffer.byteLength(`${node.hints.prefix ?? ''}${node.hints.suffix ?? ''}`) : 26;

/**
 * A field's pooled encodings: its options, each once; a boolean's exact share of trues (its odds) and an enum's
 * symbols, each once, so that uniform draws give them their exact odds; else `size` values drawn by its hints, inside
 * the records `around` it.
 */
function poolOf(node: SchemaNode, values: ValueWriter, size: number, around: readonly avro.Type[]): Buffer[] {
  const options = node.hints.options;
  if (options) return options.map((_, i) => optionBytes(node, i));
  if (node.kind === 'enum') return node.symbols.map((_, i) => varint(i));
  if (node.kind === 'primitive' && node.type === 'boolean') {
    const trues = Math.round((node.hints.odds ?? 0.5) * size);
    return Array.from({ length: size }, (_, i) => Buffer.from([i < trues ? 1 : 0]));
  }
  return Array.from({ length: size }, (_, i) => values.bytes(node, i, around));
}

/**
 * Fields pooled side by side become one pool of `size` tuples, so a message copies once for them all: tuple j takes
 * entry perm(j) mod n of each field's pool of n (perm a random permutation per field), so every entry keeps its share
 * within 1/size (exactly when n divides size: options, a boolean's odds) and fields pair at random. A run of pools is
 * joined in one pass: each entry copied once, whatever the number of fields.
 */
export function mergePools(segments: Segment[], rng: Draws, size = POOL_SIZE): Segment[] {
  const merged: Segment[] = [];
  let run: Pool[] = [];
  const flush = () => {
    if (run.length > 0) merged.push(run.length === 1 ? run[0] : joined(run, rng, size));
    run = [];
  };
  for (const s of segments) {
    if (s.kind === 'pool') run.push(s);
    else {
      flush();
      merged.push(s);
    }
  }
  flush();
  return merged;
}

type Pool = Extract<Segment, { kind: 'pool' }>;

function joined(pools: Pool[], rng: Draws, least: number): Segment {
  const size = pools.reduce((max, p) => Math.max(max, p.ends.length), least);
  const picks = pools.map((p) => {
    const perm = permutation(size, rng);
    for (let j = 0; j < size; j++) perm[j] %= p.ends.length;
    return perm;
  });
  const ends = new Uint32Array(size);
  let end = 0;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < pools.length; i++) end += entryLength(pools[i], picks[i][j]);
    ends[j] = end;
  }
  const bytes = Buffer.allocUnsafe(end);
  let at = 0;
  for (let j = 0; j < size; j++)
    for (let i = 0; i < pools.length; i++) {
      const k = picks[i][j];
      at += pools[i].bytes.copy(bytes, at, k === 0 ? 0 : pools[i].ends[k - 1], pools[i].ends[k]);
    }
  const path =
    pools.length > 3 ? `${pools[0].path}+…+${pools[pools.length - 1].path}` : pools.map((p) => p.path).join('+');
  return { kind: 'pool', path, bytes, ends };
}

const entryLength = (s: Pool, k: number) => s.ends[k] - (k === 0 ? 0 : s.ends[k - 1]);

function permutation(n: number, rng: Draws): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Option i, encoded as avsc encodes it; one that is not a value of the type is the schema's problem, named. */
function optionBytes(node: SchemaNode, i: number): Buffer {
  const option = node.hints.options?.[i];
  try {
    return node.avro.toBuffer(option);
  } catch {
    throw new Error(
      `field ${node.path || '(the record)'}: options[${i}] ${JSON.stringify(option)} is not a ${node.avro.typeName}`,
    );
  }
}

function writeIteration(
  out: Buffer,
  at: number,
  node: Extract<SchemaNode, { kind: 'primitive' }>,
  index: number,
  json: boolean,
): number {
  const iteration = node.hints.iteration;
  const value = iteration ? iterationAt(iteration, index) : 0;
  if (json) return writeJsonIteration(out, at, node, value);
  switch (node.type) {
    case 'boolean':
      out[at] = value === 1 ? 1 : 0;
      return at + 1;
    case 'string': {
      const prefix = node.hints.prefix ?? '';
      const suffix = node.hints.suffix ?? '';
      if (Number.isSafeInteger(value) && prefix === '' && suffix === '') {
        const end = writeVarint(out, at, digitCount(value));
        return writeDigits(out, end, value);
      }
      const text = `${prefix}${value}${suffix}`;
      const end = writeVarint(out, at, Buffer.byteLength(text));
      return end + out.write(text, end);
    }
    case 'float':
      return out.writeFloatLE(value, at);
    case 'double':
      return out.writeDoubleLE(value, at);
    default:
      return writeVarint(out, at, value);
  }
}

function writeJsonIteration(out: Buffer, at: number, node: Extract<SchemaNode, { kind: 'primitive' }>, value: number) {
  if (node.type === 'boolean') return at + out.write(value === 1 ? 'true' : 'false', at, 'latin1');
  if (node.type !== 'string') return writeNumber(out, at, value, true);
  return at + out.write(JSON.stringify(`${node.hints.prefix ?? ''}${value}${node.hints.suffix ?? ''}`), at);
}

/** A number: a zig-zag varint (Avro), or its digits (JSON). */
function writeNumber(out: Buffer, at: number, value: number, json: boolean): number {
  if (!json) return writeVarint(out, at, value);
  return Number.isSafeInteger(value) ? writeDigits(out, at, value) : at + out.write(String(value), at, 'latin1');
}

const digitCount = (value: number) => {
  let digits = value < 0 ? 2 : 1;
  for (let x = Math.abs(value); x >= 10; x = Math.floor(x / 10)) digits++;
  return digits;
};

/** A safe integer's decimal digits, written in place without making a string. */
function writeDigits(out: Buffer, at: number, value: number): number {
  let i = at;
  if (value < 0) out[i++] = 0x2d;
  let rest = Math.abs(value);
  const end = at + digitCount(value);
  for (let d = end - 1; d >= i; d--) {
    out[d] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return end;
}

/** Avro's zig-zag varint of an exact integer, written in place. */
export function writeVarint(out: Buffer, at: number, n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let i = at;
  if (z < 2 ** 31) {
    while (z >= 0x80) {
      out[i++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
  } else
    while (z >= 0x80) {
      out[i++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
  out[i++] = z;
  return i;
}
