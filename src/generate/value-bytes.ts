/**
 * One value of a schema node drawn by its hints (or by its type when it has none) and written straight as Avro binary:
 * the bytes avsc would write for the value, held to that by test/unit/generate/record-plan.test.ts (every generated
 * message decodes with avsc, and encodes back to the same bytes).
 */
import RandExp from 'randexp';
import type { Draws } from '../random.js';
import { type ArgHints, DEFAULT_LENGTH, iterationAt, type Span } from './arg-hints.js';
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

/** Draws values of one node; regexes compiled once. */
export class ValueWriter {
  private readonly regexes = new Map<string, RandExp>();

  constructor(private readonly rng: Draws) {}

  /** The node's value number `index` (iterations step by it), as Avro binary. */
  bytes(node: SchemaNode, index: number): Buffer {
    const options = node.hints.options;
    if (options) return node.avro.toBuffer(options[this.rng.int(options.length)]);
    switch (node.kind) {
      case 'primitive':
        return this.primitive(node, index);
      case 'record':
        return Buffer.concat(node.fields.map((f) => this.bytes(f.node, index)));
      case 'enum':
        return varint(this.rng.int(node.symbols.length));
      case 'fixed':
        return node.logical === 'decimal' ? this.decimal(node, node.size) : this.randomBytes(node.size);
      case 'array':
        return this.blocks(this.count(node.hints), () => this.bytes(node.items, index));
      case 'map': {
        const keys = this.distinctKeys(this.count(node.hints), node.hints.keys ?? {});
        let k = 0;
        return this.blocks(keys.length, () =>
          Buffer.concat([lengthPrefixed(Buffer.from(keys[k++])), this.bytes(node.values, index)]),
        );
      }
      case 'union': {
        const branch = this.rng.int(node.branches.length);
        return Buffer.concat([varint(branch), this.bytes(node.branches[branch], index)]);
      }
    }
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
        const value = h.iteration ? iterationAt(h.iteration, index) : this.between(h.range, 0, 1, false);
        const out = Buffer.alloc(node.type === 'float' ? 4 : 8);
        if (node.type === 'float') out.writeFloatLE(value);
        else out.writeDoubleLE(value);
        return out;
      }
      case 'bytes':
        return lengthPrefixed(node.logical === 'decimal' ? this.decimal(node) : this.randomBytes(this.count(h)));
      case 'string':
        return lengthPrefixed(Buffer.from(node.logical === 'uuid' && !hasStringHints(h) ? this.uuid() : this.text(h)));
    }
  }

  /** An int or long: its iteration, its range, its logical type's sense (dates near now), or any. */
  private whole(node: Extract<SchemaNode, { kind: 'primitive' }>, index: number): number {
    const h = node.hints;
    if (h.iteration) return iterationAt(h.iteration, index);
    const max = node.type === 'int' ? INT_MAX : LONG_MAX;
    if (h.range) return Math.floor(this.between(h.range, -max, max, true));
    if (node.logical === 'date') return Math.floor(Date.now() / 86_400_000) - this.rng.int(3650);
    if (node.logical === 'timestamp-millis') return Date.now() - this.rng.int(86_400_000);
    if (node.logical === 'timestamp-micros') return (Date.now() - this.rng.int(86_400_000)) * 1000;
    return Math.floor(this.between({}, -max, max, true));
  }

  /** Uniform in [min, max) of the range (the type's own bounds where it says none). */
  private between(range: Partial<Span> | undefined, low: number, high: number, whole: boolean): number {
    const min = range?.min ?? (range?.max !== undefined ? Math.min(low, range.max - 1) : low);
    const max = range?.max ?? (range?.min !== undefined ? Math.max(high, min + 1) : high);
    const x = min + this.rng.next() * (max - min);
    return whole ? Math.min(Math.floor(x), Math.ceil(max) - 1) : x;
  }

  /** A string by its hints: regex (at least minLength long), or length random letters and digits; prefix, suffix. */
  private text(h: ArgHints): string {
    let body: string;
    if (h.regex !== undefined) {
      body = this.regexOf(h.regex).gen();
      for (let tries = 0; h.minLength !== undefined && body.length < h.minLength && tries < 100; tries++)
        body = this.regexOf(h.regex).gen();
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
  private distinctKeys(n: number, hints: ArgHints): string[] {
    const keys = new Set<string>();
    for (let tries = 0; keys.size < n && tries < n * 20; tries++) keys.add(this.text(hints));
    return [...keys];
  }

  /** How many: a length hint's span (8 to 16 unless given). */
  private count(h: ArgHints): number {
    const span = h.length ?? DEFAULT_LENGTH;
    return span.min + this.rng.int(Math.max(1, span.max - span.min));
  }

  private blocks(n: number, item: () => Buffer): Buffer {
    if (n === 0) return varint(0);
    const parts = [varint(n)];
    for (let i = 0; i < n; i++) parts.push(item());
    parts.push(varint(0));
    return Buffer.concat(parts);
  }

  private randomBytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.rng.int(256);
    return out;
  }

  /**
   * A decimal as big-endian two's complement of its unscaled value: in its range (scaled by 10^scale), or any below
   * 10^precision (up to 15 digits drawn); `size` bytes for a fixed, the fewest for bytes.
   */
  private decimal(node: { precision?: number; scale?: number; hints: ArgHints }, size?: number): Buffer {
    const range = node.hints.range;
    const scale = 10 ** (node.scale ?? 0);
    let n: bigint;
    if (range) n = BigInt(Math.floor(this.between(range, -1e15 / scale, 1e15 / scale, false) * scale));
    else {
      n = BigInt(Math.floor(this.rng.next() * 10 ** Math.min(node.precision ?? 10, 15)));
      if (this.rng.next() < 0.5) n = -n;
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

  private uuid(): string {
    const b = this.randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = b.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

const hasStringHints = (h: ArgHints) => h.regex !== undefined || h.length !== undefined || h.options !== undefined;
