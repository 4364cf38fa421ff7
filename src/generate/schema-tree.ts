/**
 * An Avro schema read for generation: avsc checks it (its own message on a bad schema), and the JSON is walked into a
 * tree of nodes carrying what avsc drops: each type's `arg.properties` hints (generate/arg-hints.ts), its logical
 * type, its path in the record ("address.zipcode") for messages, and the avsc type that encodes its `options` values.
 */
import avro from 'avsc';
import { type ArgHints, readHints } from './arg-hints.js';

type Primitive = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';
const PRIMITIVES = new Set<string>(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

interface Common {
  path: string;
  hints: ArgHints;
  /** Encodes an `options` value exactly as avsc does. */
  avro: avro.Type;
}

export type SchemaNode = Common &
  (
    | { kind: 'primitive'; type: Primitive; logical?: string; precision?: number; scale?: number }
    | { kind: 'record'; fields: { name: string; node: SchemaNode }[] }
    | { kind: 'enum'; symbols: string[] }
    | { kind: 'fixed'; size: number; logical?: string; precision?: number; scale?: number }
    | { kind: 'array'; items: SchemaNode }
    | { kind: 'map'; values: SchemaNode }
    | { kind: 'union'; branches: SchemaNode[] }
  );

type Json = Record<string, unknown>;

/** The one pair of field names avsc, which checks every schema, cannot build a record of (Avro allows it). */
const AVSC_PROTO_AND_NAME =
  'a record with fields named both __proto__ and name: avsc, which DataStorm checks schemas with, cannot build it ' +
  '(rename one of them)';

/** The schema as a tree of nodes, or every problem with its hints (avsc's own error for an invalid schema). */
export function readSchemaTree(schema: unknown): { root?: SchemaNode; problems: string[] } {
  const registry: Record<string, avro.Type> = {};
  try {
    const type = avro.Type.forSchema(schema as avro.Schema, { registry });
    if (type.typeName !== 'record') return { problems: [`the schema must be a record (got ${type.typeName})`] };
  } catch (e) {
    if (/read only property 'name'/.test((e as Error).message) && JSON.stringify(schema).includes('"__proto__"'))
      return { problems: [AVSC_PROTO_AND_NAME] };
    return { problems: [`not a valid Avro schema: ${(e as Error).message}`] };
  }
  const walker = new Walker(registry);
  const root = walker.node(schema, '', undefined);
  return { root, problems: walker.problems };
}

class Walker {
  readonly problems: string[] = [];
  /** Named types by full name, once walked: a reference reuses the node (recursive types end there). */
  private readonly named = new Map<string, SchemaNode>();

  constructor(private readonly registry: Record<string, avro.Type>) {}

  node(json: unknown, path: string, namespace: string | undefined): SchemaNode {
    if (typeof json === 'string') return this.reference(json, path, namespace);
    if (Array.isArray(json)) return this.union(json, path, namespace);
    const o = json as Json;
    if (typeof o.type === 'object' && o.type !== null) {
      const inner = this.node(o.type, path, namespace);
      const extra = readHints(o['arg.properties'], kindName(inner), where(path), this.problems);
      return Object.keys(extra).length ? { ...inner, hints: { ...inner.hints, ...extra } } : inner;
    }
    const type = String(o.type);
    if (PRIMITIVES.has(type)) return this.primitive(o, type as Primitive, path, namespace);
    return this.named_(o, type, path, namespace);
  }

  private reference(name: string, path: string, namespace: string | undefined): SchemaNode {
    if (PRIMITIVES.has(name)) return this.primitive({ type: name }, name as Primitive, path, namespace);
    const full = name.includes('.') || !namespace ? name : `${namespace}.${name}`;
    const node = this.named.get(full) ?? this.named.get(name);
    if (!node) throw new Error(`unknown type ${name}`); // avsc accepted the schema: never
    return node;
  }

  private primitive(o: Json, type: Primitive, path: string, namespace: string | undefined): SchemaNode {
    const logical = typeof o.logicalType === 'string' ? o.logicalType : undefined;
    const hintsOf = logical === 'decimal' && type === 'bytes' ? 'decimal' : type;
    const hints = readHints(o['arg.properties'], hintsOf, where(path), this.problems);
    return {
      kind: 'primitive',
      type,
      logical,
      precision: o.precision as number | undefined,
      scale: o.scale as number | undefined,
      path,
      hints,
      avro: this.avroOf(o, namespace),
    };
  }

  private union(branches: unknown[], path: string, namespace: string | undefined): SchemaNode {
    const nodes = branches.map((b) => this.node(b, path, namespace));
    // Built from its branches' types: a named type defined inside must not be defined twice.
    const avroType = avro.Type.forSchema(nodes.map((n) => n.avro) as unknown as avro.Schema, { wrapUnions: 'auto' });
    return { kind: 'union', branches: nodes, path, hints: {}, avro: avroType };
  }

  /** record, enum, fixed (named), array, map. */
  private named_(o: Json, type: string, path: string, namespace: string | undefined): SchemaNode {
    const hints = readHints(
      o['arg.properties'],
      type === 'fixed' && o.logicalType === 'decimal' ? 'decimal' : type,
      where(path),
      this.problems,
    );
    if (type === 'array') {
      const items = this.node(o.items, path, namespace);
      return {
        kind: 'array',
        items,
        path,
        hints,
        avro: avro.Type.forSchema({ type: 'array', items: items.avro } as never),
      };
    }
    if (type === 'map') {
      const values = this.node(o.values, path, namespace);
      return {
        kind: 'map',
        values,
        path,
        hints,
        avro: avro.Type.forSchema({ type: 'map', values: values.avro } as never),
      };
    }
    const name = String(o.name);
    const ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ((o.namespace as string) ?? namespace);
    const full = name.includes('.') || !ns ? name : `${ns}.${name}`;
    const avroType = this.registry[full];
    if (type === 'enum')
      return this.remember(full, { kind: 'enum', symbols: o.symbols as string[], path, hints, avro: avroType });
    if (type === 'fixed')
      return this.remember(full, {
        kind: 'fixed',
        size: o.size as number,
        logical: o.logicalType as string | undefined,
        precision: o.precision as number | undefined,
        scale: o.scale as number | undefined,
        path,
        hints,
        avro: avroType,
      });
    const record: SchemaNode = { kind: 'record', fields: [], path, hints, avro: avroType };
    this.remember(full, record);
    for (const f of o.fields as Json[]) {
      const fieldPath = path ? `${path}.${String(f.name)}` : String(f.name);
      record.fields.push({ name: String(f.name), node: this.node(f.type, fieldPath, ns) });
    }
    return record;
  }

  private remember(full: string, node: SchemaNode): SchemaNode {
    this.named.set(full, node);
    return node;
  }

  private avroOf(json: unknown, namespace: string | undefined): avro.Type {
    return avro.Type.forSchema(json as avro.Schema, { registry: this.registry, namespace });
  }
}

const where = (path: string) => (path ? `field ${path}` : 'the record');
const kindName = (node: SchemaNode) => (node.kind === 'primitive' ? node.type : node.kind);
