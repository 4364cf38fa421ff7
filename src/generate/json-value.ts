/**
 * A generated value as JSON text, for --format json: the JSON a consumer of plain JSON expects (Kafka Connect's
 * JsonConverter without schemas): a record an object, a union its branch's value unwrapped, an enum its symbol, bytes
 * and fixed base64, a decimal a JSON number with its scale's digits, dates and timestamps their numbers. Read from the
 * Avro binary by the schema's own tree, not through avsc's record classes: a field may be named like any property an
 * object already has (toString, constructor, __proto__), and is data like any other name.
 */
import type { SchemaNode } from './schema-tree.js';

/** A number written as its digits (a decimal's exact text). */
class RawNumber {
  constructor(readonly text: string) {}
}

/** The JSON text of one value of the node in Avro binary. */
export function jsonOfAvro(node: SchemaNode, bytes: Buffer): string {
  return serialize(new AvroReader(bytes).read(node));
}

/** Avro's binary encoding read back into the plain values JSON takes, by the schema tree. */
class AvroReader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  read(node: SchemaNode): unknown {
    switch (node.kind) {
      case 'primitive':
        return this.primitive(node);
      case 'fixed': {
        const v = this.take(node.size);
        return node.logical === 'decimal' ? decimal(v, node.scale ?? 0) : v.toString('base64');
      }
      case 'enum':
        return node.symbols[this.long()];
      case 'array':
        return this.blocks(() => this.read(node.items));
      case 'map':
        return Object.fromEntries(this.blocks(() => [this.take(this.long()).toString(), this.read(node.values)]));
      case 'record':
        return Object.fromEntries(node.fields.map((f) => [f.name, this.read(f.node)]));
      case 'union':
        return this.read(node.branches[this.long()]);
    }
  }

  private primitive(node: Extract<SchemaNode, { kind: 'primitive' }>): unknown {
    switch (node.type) {
      case 'null':
        return null;
      case 'boolean':
        return this.take(1)[0] === 1;
      case 'int':
      case 'long':
        return this.long();
      case 'float':
        return this.take(4).readFloatLE(0);
      case 'double':
        return this.take(8).readDoubleLE(0);
      case 'bytes': {
        const v = this.take(this.long());
        return node.logical === 'decimal' ? decimal(v, node.scale ?? 0) : v.toString('base64');
      }
      case 'string':
        return this.take(this.long()).toString();
    }
  }

  /** A zig-zag varint, exact up to 2^53 (what the generator writes). */
  private long(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.bytes[this.at++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private take(n: number): Buffer {
    const v = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  /** Items in blocks: a count (negative: followed by the block's size in bytes), until a count of 0. */
  private blocks<T>(item: () => T): T[] {
    const out: T[] = [];
    for (let n = this.long(); n !== 0; n = this.long()) {
      if (n < 0) this.long();
      for (let i = Math.abs(n); i > 0; i--) out.push(item());
    }
    return out;
  }
}

/** A decimal's two's complement big-endian bytes as its exact digits, scale digits after the point. */
function decimal(bytes: Buffer, scale: number): RawNumber {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (bytes.length && bytes[0] & 0x80) n -= 1n << BigInt(8 * bytes.length);
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return new RawNumber(negative ? `-${text}` : text);
}

function serialize(v: unknown): string {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(serialize).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, item]) => `${JSON.stringify(k)}:${serialize(item)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
