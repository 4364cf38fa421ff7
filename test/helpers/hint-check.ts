/**
 * Holds decoded records (by an independent reader: Python's fastavro) to their schema's arg.properties hints: options
 * only from the list, ranges, lengths, regexes, prefixes and suffixes respected in every value; top-level iterations
 * strictly stepping (every value distinct, on the step's grid); a boolean's odds within a point over many records.
 * Logical types come back as fastavro gives them (dates and times as ISO text) and are read back into numbers.
 */
import type { SchemaNode } from '../../src/generate/schema-tree.js';

export class HintCheck {
  readonly problems: string[] = [];
  private readonly iterations = new Map<string, { node: SchemaNode; values: number[] }>();
  private readonly trues = new Map<string, { odds: number; yes: number; all: number }>();
  records = 0;

  constructor(private readonly root: SchemaNode) {}

  record(value: unknown): void {
    this.records++;
    this.value(this.root, value, true);
  }

  /** Everything found, the iterations' and odds' checks included (call once all records are in). */
  finish(): string[] {
    for (const [path, { node, values }] of this.iterations) {
      const it = node.hints.iteration;
      if (!it || it.restart !== undefined) continue;
      const distinct = new Set(values);
      if (distinct.size !== values.length)
        this.fail(path, `iteration repeated values (${values.length - distinct.size})`);
      const off = values.find((v) => Math.abs(Math.round((v - it.start) / it.step) * it.step + it.start - v) > 1e-6);
      if (off !== undefined) this.fail(path, `iteration value ${off} is not start ${it.start} + k × step ${it.step}`);
    }
    for (const [path, { odds, yes, all }] of this.trues)
      if (all >= 100_000 && Math.abs(yes / all - odds) > 0.01) this.fail(path, `odds ${yes / all} for ${odds}`);
    return this.problems;
  }

  private fail(path: string, why: string): void {
    if (this.problems.length < 20) this.problems.push(`${path || '(record)'}: ${why}`);
  }

  private value(node: SchemaNode, v: unknown, topLevel: boolean): void {
    const h = node.hints;
    if (h.options) {
      const texts = h.options.map(canonical);
      if (!texts.includes(canonical(plainOf(node, v)))) this.fail(node.path, `${JSON.stringify(v)} not in options`);
      return;
    }
    switch (node.kind) {
      case 'record':
        for (const f of node.fields) this.value(f.node, (v as Record<string, unknown>)[f.name], topLevel && !node.path);
        return;
      case 'array':
        this.count(node, (v as unknown[]).length);
        for (const item of v as unknown[]) this.value(node.items, item, false);
        return;
      case 'map': {
        const entries = Object.entries(v as Record<string, unknown>);
        this.count(node, entries.length);
        for (const [key, item] of entries) {
          if (h.keys) this.text({ ...node, hints: h.keys }, key);
          this.value(node.values, item, false);
        }
        return;
      }
      case 'union': {
        if (v === null) return;
        const branch = node.branches.find((b) => b.kind !== 'primitive' || b.type !== 'null');
        if (branch && node.branches.filter((b) => !(b.kind === 'primitive' && b.type === 'null')).length === 1)
          this.value(branch, v, false);
        return;
      }
      case 'primitive':
        this.primitive(node, v, topLevel);
        return;
      default:
        return;
    }
  }

  private primitive(node: Extract<SchemaNode, { kind: 'primitive' }>, v: unknown, topLevel: boolean): void {
    const h = node.hints;
    if (node.type === 'string' && !h.iteration && node.logical !== 'uuid') this.text(node, String(v));
    if (node.type === 'boolean' && h.odds !== undefined) {
      const t = this.trues.get(node.path) ?? { odds: h.odds, yes: 0, all: 0 };
      t.yes += v === true ? 1 : 0;
      t.all++;
      this.trues.set(node.path, t);
    }
    const n = numberOf(node, v);
    if (n === undefined) return;
    if (h.iteration && topLevel) {
      const it = this.iterations.get(node.path) ?? { node, values: [] };
      it.values.push(n);
      this.iterations.set(node.path, it);
    }
    const range = h.range;
    if (range && !h.iteration) {
      const slack = node.logical === 'timestamp-micros' ? 1000 : 0;
      if (range.min !== undefined && n < range.min - slack) this.fail(node.path, `${n} below range min ${range.min}`);
      if (range.max !== undefined && n > range.max + slack) this.fail(node.path, `${n} above range max ${range.max}`);
    }
  }

  private text(node: SchemaNode, s: string): void {
    const h = node.hints;
    const prefix = h.prefix ?? '';
    const suffix = h.suffix ?? '';
    if (!s.startsWith(prefix) || !s.endsWith(suffix)) {
      this.fail(node.path, `'${s}' lacks its prefix or suffix`);
      return;
    }
    const body = s.slice(prefix.length, s.length - suffix.length);
    if (h.regex !== undefined && !new RegExp(`^(?:${h.regex})$`).test(body))
      this.fail(node.path, `'${body}' does not match /${h.regex}/`);
    else if (h.regex === undefined) this.count(node, body.length);
  }

  private count(node: SchemaNode, n: number): void {
    const span = node.hints.length;
    if (span && (n < span.min || n > Math.max(span.min, span.max)))
      this.fail(node.path, `length ${n} outside ${span.min}..${span.max}`);
  }
}

/** A number as the hints state it: fastavro's ISO dates and times back into days, ms or µs since the epoch. */
function numberOf(node: Extract<SchemaNode, { kind: 'primitive' }>, v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (node.type === 'string') {
    const h = node.hints;
    const n = Number(v.slice((h.prefix ?? '').length, v.length - (h.suffix ?? '').length));
    return h.iteration && Number.isFinite(n) ? n : undefined;
  }
  if (!/^(date|timestamp-millis|timestamp-micros)$/.test(node.logical ?? '')) return undefined;
  const ms = Date.parse(node.logical === 'date' ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) return undefined;
  if (node.logical === 'date') return ms / 86_400_000;
  return node.logical === 'timestamp-micros' ? ms * 1000 : ms;
}

/** An options value as the hints write it (dates and times as numbers). */
function plainOf(node: SchemaNode, v: unknown): unknown {
  return node.kind === 'primitive' && node.logical && typeof v === 'string' ? numberOf(node, v) : v;
}

/** JSON with object keys sorted: an option and a decoded record compare by content, not by key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
