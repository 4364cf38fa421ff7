/**
 * A generated value as JSON text, for --format json: the JSON a consumer of plain JSON expects (Kafka Connect's
 * JsonConverter without schemas): a record an object, a union its branch's value unwrapped, an enum its symbol, bytes
 * and fixed base64, a decimal a JSON number with its scale's digits, dates and timestamps their numbers.
 */
import type { SchemaNode } from './schema-tree.js';

/** A number written as its digits (a decimal's exact text). */
class RawNumber {
  constructor(readonly text: string) {}
}

/** The JSON text of an avsc-decoded value of the node. */
export function jsonText(node: SchemaNode, value: unknown): string {
  return serialize(plain(node, value));
}

function plain(node: SchemaNode, v: unknown): unknown {
  switch (node.kind) {
    case 'primitive':
      if (Buffer.isBuffer(v)) return node.logical === 'decimal' ? decimal(v, node.scale ?? 0) : v.toString('base64');
      return v;
    case 'fixed':
      return node.logical === 'decimal' ? decimal(v as Buffer, node.scale ?? 0) : (v as Buffer).toString('base64');
    case 'enum':
      return v;
    case 'array':
      return (v as unknown[]).map((item) => plain(node.items, item));
    case 'map':
      return Object.fromEntries(Object.entries(v as object).map(([k, item]) => [k, plain(node.values, item)]));
    case 'record':
      return Object.fromEntries(
        node.fields.map((f) => [f.name, plain(f.node, (v as Record<string, unknown>)[f.name])]),
      );
    case 'union':
      return union(node, v);
  }
}

/** A union's value: avsc wraps one of an ambiguous union as {branch name: value}; JSON has the value alone. */
function union(node: Extract<SchemaNode, { kind: 'union' }>, v: unknown): unknown {
  if (v === null) return null;
  if (typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v)) {
    const [name, ...more] = Object.keys(v as object);
    const wrapped = more.length === 0 ? node.branches.find((b) => branchName(b) === name) : undefined;
    if (wrapped) return plain(wrapped, (v as Record<string, unknown>)[name]);
  }
  const branch = node.branches.find((b) => fits(b, v));
  return branch ? plain(branch, v) : v;
}

const branchName = (b: SchemaNode) => (b.kind === 'primitive' ? b.type : (b.avro.name ?? b.kind));

function fits(b: SchemaNode, v: unknown): boolean {
  if (b.kind === 'primitive') {
    if (b.type === 'null') return v === null;
    if (b.type === 'bytes') return Buffer.isBuffer(v);
    if (b.type === 'string') return typeof v === 'string';
    if (b.type === 'boolean') return typeof v === 'boolean';
    return typeof v === 'number';
  }
  if (b.kind === 'enum') return typeof v === 'string';
  if (b.kind === 'fixed') return Buffer.isBuffer(v);
  if (b.kind === 'array') return Array.isArray(v);
  return typeof v === 'object' && v !== null;
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
