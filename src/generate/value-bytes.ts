/**
 * One value of a schema node drawn by its hints (or by its type when it has none) and written straight as Avro binary:
 * the bytes avsc would write for the value, held to that by test/unit/generate/record-plan.test.ts (every generated
 * message decodes with avsc, and encodes back to the same bytes).
 */
import type avro from 'avsc';
import RandExp from 'randexp';
import type { Draws } from '../random.js';
import { type ArgHints, DEFAULT_LENGTH, iterationAt, type Span } from './arg-hints.js';
import { DEFAULT_MAX_DEPTH, type Heights, MAX_RECURSIVE_COPIES } from './recursion.js';
import type { SchemaNode } from './schema-tree.js';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const INT_MAX = 2 ** 31;
/** Random longs stay within JavaScript's exact integers, which avsc reads back exactly. */
const LONG_MAX = 2 ** 53;

/** Avro's zig-zag varint of an exact integer (beyond 32 bits too: arithmetic, not bit operations). */
export function varint(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return Buffer.from(out);
}

/** Copies src[start..end) to out at `at`; a loop for the short values most fields have (a native copy costs more). */
export function copyBytes(src: Buffer, start: number, end: number, out: Buffer, at: number): number {
  if (end - start > 32) return at + src.copy(out, at, start, end);
  for (let i = start; i < end; i++) out[at++] = src[i];
  return at;
}

const lengthPrefixed = (bytes: Buffer) => Buffer.concat([varint(bytes.length), bytes]);

/** An array's or a map's items as Avro writes them: one block of them, then the empty block. */
const blocks = (items: Buffer[]): Buffer =>
  items.length === 0 ? varint(0) : Buffer.concat([varint(items.length), ...items, varint(0)]);

/** Where a value is being drawn in a recursive schema: the records around it and how deep it already is. */
interface Nesting {
  /** Records on the way down, by their avsc type (one per named type), with how many times each is open. */
  open: Map<avro.Type, number>;
  /** How many of the open records are a record inside itself. */
  depth: number;
  /** Copies of recursive types in this value so far. */
  copies: number;
}

/**
 * Draws values of one node; regexes compiled once. In a recursive schema a value nests its recursive types at most
 * `maxDepth` deep and holds at most MAX_RECURSIVE_COPIES of them; beyond either, every choice takes the shortest way
 * out by the nodes' heights (generate/recursion.ts). A union never draws a branch that has no finite value.
 */
export class ValueWriter {
  private readonly regexes = new Map<string, RandExp>();
  private nesting: Nesting = { open: new Map(), depth: 0, copies: 0 };

  constructor(
    private readonly rng: Draws,
    private readonly heights: Heights = new Map(),
    private readonly maxDepth = DEFAULT_MAX_DEPTH,
  ) {}

  /**
   * The node's value number `index` (iterations step by it), as Avro binary. `around`: the records the node sits in
   * (a recursive field of a record written field by field), which count toward its depth.
   */
  bytes(node: SchemaNode, index: number, around: readonly avro.Type[] = []): Buffer {
    const open = new Map<avro.Type, number>();
    let depth = 0;
    for (const type of around) {
      const n = open.get(type) ?? 0;
      if (n > 0) depth++;
      open.set(type, n + 1);
    }
    this.nesting = { open, depth, copies: 0 };
    return this.value(node, index);
  }

  private value(node: SchemaNode, index: number): Buffer {
    const options = node.hints.options;
    if (options) return node.avro.toBuffer(options[this.rng.int(options.length)]);
    switch (node.kind) {
      case 'primitive':
        return this.primitive(node, index);
      case 'record':
        return this.record(node, index);
      case 'enum':
        return varint(this.rng.int(node.symbols.length));
      case 'fixed':
        return node.logical === 'decimal' ? decimal(this.rng, node, node.size) : randomBytes(this.rng, node.size);
      case 'array':
        return blocks(this.items(node, this.itemCount(node), () => this.value(node.items, index)));
      case 'map': {
        const keys = this.distinctKeys(this.itemCount(node), node.hints.keys ?? {}, node.path);
        let k = 0;
        return blocks(
          this.items(node, keys.length, () =>
            Buffer.concat([lengthPrefixed(Buffer.from(keys[k++])), this.value(node.values, index)]),
          ),
        );
      }
      case 'union': {
        const branch = this.branch(node);
        return Buffer.concat([varint(branch), this.value(node.branches[branch], index)]);
      }
    }
  }

  private record(node: Extract<SchemaNode, { kind: 'record' }>, index: number): Buffer {
    const { open } = this.nesting;
    const n = open.get(node.avro) ?? 0;
    if (n > 0) {
      this.nesting.depth++;
      this.nesting.copies++;
    }
    open.set(node.avro, n + 1);
    const bytes = Buffer.concat(node.fields.map((f) => this.value(f.node, index)));
    open.set(node.avro, n);
    if (n > 0) this.nesting.depth--;
    return bytes;
  }

  /** Deep enough, or big enough: from here every choice takes the shortest way out. */
  private shallowing(): boolean {
    return this.nesting.depth >= this.maxDepth || this.nesting.copies >= MAX_RECURSIVE_COPIES;
  }

  private heightOf(node: SchemaNode): number {
    return this.heights.get(node) ?? 0;
  }

  /** A branch with a finite value, drawn evenly; when shallowing, one of the lowest. */
  private branch(node: Extract<SchemaNode, { kind: 'union' }>): number {
    const heights = node.branches.map((b) => this.heightOf(b));
    const floor = this.shallowing() ? Math.min(...heights) : Number.POSITIVE_INFINITY;
    const eligible = heights.flatMap((h, i) => (Number.isFinite(h) && h <= floor ? [i] : []));
    return eligible[this.rng.int(eligible.length)];
  }

  /**
   * An array's items or a map's entries: by its length hint; when shallowing, or when its items have no finite value,
   * the fewest it allows.
   */
  private itemCount(node: Extract<SchemaNode, { kind: 'array' | 'map' }>): number {
    const inner = node.kind === 'array' ? node.items : node.values;
    if (!this.shallowing() && Number.isFinite(this.heightOf(inner))) return this.count(node.hints);
    return node.hints.length?.min ?? 0;
  }

  private primitive(node: Extract<SchemaNode, { kind: 'primitive' }>, index: number): Buffer {
    const h = node.hints;
    switch (node.type) {
      case 'null':
        return Buffer.alloc(0);
      case 'boolean': {
        const value = h.iteration ? iterationAt(h.iteration, index) === 1 : this.rng.next() < (h.odds ?? 0.5);
        return Buffer.from([value ? 1 : 0]);
      }
      case 'int':
      case 'long':
        return varint(this.whole(node, index));
      case 'float':
      case 'double': {
        const value = h.iteration ? iterationAt(h.iteration, index) : between(this.rng, h.range, 0, 1, false);
        const out = Buffer.alloc(node.type === 'float' ? 4 : 8);
        if (node.type === 'float') out.writeFloatLE(value);
        else out.writeDoubleLE(value);
        return out;
      }
      case 'bytes':
        return lengthPrefixed(
          node.logical === 'decimal' ? decimal(this.rng, node) : randomBytes(this.rng, this.count(h)),
        );
      case 'string':
        return lengthPrefixed(
          Buffer.from(node.logical === 'uuid' && !hasStringHints(h) ? uuid(this.rng) : this.text(h, node.path)),
        );
    }
  }

  /** An int or long: its iteration, its range, its logical type's sense (dates near now), or any. */
  private whole(node: Extract<SchemaNode, { kind: 'primitive' }>, index: number): number {
    const h = node.hints;
    if (h.iteration) return iterationAt(h.iteration, index);
    const max = node.type === 'int' ? INT_MAX : LONG_MAX;
    if (h.range) return Math.floor(between(this.rng, h.range, -max, max, true));
    if (node.logical === 'date') return Math.floor(Date.now() / 86_400_000) - this.rng.int(3650);
    if (node.logical === 'timestamp-millis') return Date.now() - this.rng.int(86_400_000);
    if (node.logical === 'timestamp-micros') return (Date.now() - this.rng.int(86_400_000)) * 1000;
    return Math.floor(between(this.rng, {}, -max, max, true));
  }

  /** A string by its hints: regex (at least minLength long), or length random letters and digits; prefix, suffix. */
  /** `path` names the field when a regex cannot honour its length: refused, never a shorter string. */
  private text(h: ArgHints, path: string): string {
    let body: string;
    if (h.regex !== undefined) {
      body = this.regexOf(h.regex).gen();
      for (let tries = 0; h.minLength !== undefined && body.length < h.minLength && tries < 100; tries++)
        body = this.regexOf(h.regex).gen();
      if (h.minLength !== undefined && body.length < h.minLength)
        throw new Error(
          `field ${path || '(the record)'}: regex ${JSON.stringify(h.regex)} drew no string of at least ` +
            `${h.minLength} characters in 100 tries: the length cannot be honoured`,
        );
    } else {
      const n = this.count(h);
      body = '';
      for (let i = 0; i < n; i++) body += ALPHANUMERIC[this.rng.int(ALPHANUMERIC.length)];
    }
    return `${h.prefix ?? ''}${body}${h.suffix ?? ''}`;
  }

  private regexOf(source: string): RandExp {
    let r = this.regexes.get(source);
    if (!r) {
      r = new RandExp(source);
      r.max = 16; // an unbounded repeat (*, +) draws up to 16
      r.randInt = (a: number, b: number) => a + this.rng.int(b - a + 1);
      this.regexes.set(source, r);
    }
    return r;
  }

  /** A map's keys: distinct (a map holds one value per key), as many as its key hints allow up to n. */
  private distinctKeys(n: number, hints: ArgHints, path: string): string[] {
    const keys = new Set<string>();
    for (let tries = 0; keys.size < n && tries < n * 20; tries++) keys.add(this.text(hints, `${path} (keys)`));
    return [...keys];
  }

  /** How many: a length hint's span (8 to 16 unless given). */
  private count(h: ArgHints): number {
    const span = h.length ?? DEFAULT_LENGTH;
    return span.min + this.rng.int(Math.max(1, span.max - span.min));
  }

  /**
   * Up to n items; once the value is deep or big enough (a recursive type's items filling it), no more than the
   * fewest the node allows, so that a value's copies stop where the bound says, not a level of siblings later.
   */
  private items(node: SchemaNode, n: number, item: () => Buffer): Buffer[] {
    const fewest = node.hints.length?.min ?? 0;
    const parts: Buffer[] = [];
    for (let i = 0; i < n && (i < fewest || !this.shallowing()); i++) parts.push(item());
    return parts;
  }
}

/** Uniform in [min, max) of the range (the type's own bounds where it says none). */
function between(rng: Draws, range: Partial<Span> | undefined, low: number, high: number, whole: boolean): number {
  const min = range?.min ?? (range?.max !== undefined ? Math.min(low, range.max - 1) : low);
  const max = range?.max ?? (range?.min !== undefined ? Math.max(high, min + 1) : high);
  const x = min + rng.next() * (max - min);
  return whole ? Math.min(Math.floor(x), Math.ceil(max) - 1) : x;
}

function randomBytes(rng: Draws, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

/**
 * A decimal as big-endian two's complement of its unscaled value: in its range (scaled by 10^scale), or any below
 * 10^precision (up to 15 digits drawn); `size` bytes for a fixed, the fewest for bytes.
 */
function decimal(rng: Draws, node: { precision?: number; scale?: number; hints: ArgHints }, size?: number): Buffer {
  const range = node.hints.range;
  const scale = 10 ** (node.scale ?? 0);
  let n: bigint;
  if (range) n = BigInt(Math.floor(between(rng, range, -1e15 / scale, 1e15 / scale, false) * scale));
  else {
    n = BigInt(Math.floor(rng.next() * 10 ** Math.min(node.precision ?? 10, 15)));
    if (rng.next() < 0.5) n = -n;
  }
  const bytes: number[] = [];
  for (let v = n; ; ) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
    if ((v === 0n && bytes[0] < 0x80) || (v === -1n && bytes[0] >= 0x80)) break;
  }
  while (size !== undefined && bytes.length < size) bytes.unshift(n < 0n ? 0xff : 0);
  return Buffer.from(size === undefined ? bytes : bytes.slice(bytes.length - size));
}

function uuid(rng: Draws): string {
  const b = randomBytes(rng, 16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const hasStringHints = (h: ArgHints) => h.regex !== undefined || h.length !== undefined || h.options !== undefined;
