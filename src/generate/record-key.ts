/**
 * A record's message key, taken from one of its top-level fields (--key-field, as kafka-connect-datagen's
 * schema.keyfield): the key is the field's value as text. The field's segment of the record plan writes the value and
 * its text side by side:
 *   pool       the field's pooled values, each with its text made at start (a copy each, per message)
 *   drawn      under --keys too: the field takes the key drawn from the run's distribution (key i's value, pre-encoded
 *              with its text), so the record and its key name the same entity, as a tweet's user and its key do
 *   iteration  a stepping value, formatted per message
 *   now        a hint-less timestamp field: the write time, as the field would be without a key
 */
import { iterationAt } from './arg-hints.js';
import type { SchemaNode } from './schema-tree.js';
import { copyBytes, varint } from './value-bytes.js';

/** Where a message's key text goes: written at `at`, which the write advances. */
export interface KeySink {
  bytes: Buffer;
  at: number;
}

/** Values side by side with their texts: entry k is bytes[ends[k-1]..ends[k]), its text likewise in texts. */
export interface TextedValues {
  bytes: Buffer;
  ends: Uint32Array;
  texts: Buffer;
  textEnds: Uint32Array;
}

export type KeySegment =
  | ({ kind: 'key-pool'; path: string } & TextedValues)
  | ({ kind: 'key-drawn'; path: string } & TextedValues)
  | { kind: 'key-iteration'; path: string; node: Extract<SchemaNode, { kind: 'primitive' }> }
  | { kind: 'key-now'; path: string; micros: boolean };

const KEY_TYPES = new Set(['string', 'int', 'long']);

/** Why a node cannot be a key field (a string, int, long or enum; not an enum with --keys), or undefined. */
export function keyFieldProblem(node: SchemaNode, name: string, drawn: boolean): string | undefined {
  const is = node.kind === 'primitive' ? node.type : node.kind;
  const fits = node.kind === 'primitive' ? KEY_TYPES.has(node.type) : node.kind === 'enum' && !drawn;
  if (fits) return undefined;
  const allowed = drawn ? 'string, int or long (with --keys)' : 'string, int, long or enum';
  return `--key-field ${name}: the key field must be a top-level ${allowed} field (is ${is})`;
}

/**
 * Pooled values with their texts: given, or read back from their Avro encodings by the field's own type; `bytes` are
 * what the plan writes (the Avro encodings themselves, or their JSON).
 */
export function textedPool(
  node: SchemaNode,
  avroPool: Buffer[],
  bytes: Buffer[],
  textAt?: (i: number) => string,
): TextedValues {
  const texts = avroPool.map((b, i) => Buffer.from(textAt ? textAt(i) : textOf(node.avro.fromBuffer(b))));
  return { bytes: Buffer.concat(bytes), ends: endsOf(bytes), texts: Buffer.concat(texts), textEnds: endsOf(texts) };
}

/** Key i (0..n-1) as the field's value: the text `user<i>` for a string field (keys.ts' keyText), i for a number. */
export function drawnValues(
  node: SchemaNode,
  n: number,
  keyText: (i: number) => string,
): { avro: Buffer[]; text: (i: number) => string } {
  const isString = node.kind === 'primitive' && node.type === 'string';
  const avro: Buffer[] = [];
  for (let i = 0; i < n; i++) avro.push(isString ? node.avro.toBuffer(keyText(i)) : varint(i));
  return { avro, text: (i) => (isString ? keyText(i) : String(i)) };
}

const textOf = (value: unknown) => (typeof value === 'string' ? value : String(value));

function endsOf(parts: Buffer[]): Uint32Array {
  const ends = new Uint32Array(parts.length);
  let end = 0;
  for (let i = 0; i < parts.length; i++) ends[i] = end += parts[i].length;
  return ends;
}

/** Copies entry k of texted values: its bytes into out at `at` (returns the end), its text into the key. */
export function copyTexted(values: TextedValues, k: number, out: Buffer, at: number, key: KeySink | null): number {
  const end = copyBytes(values.bytes, k === 0 ? 0 : values.ends[k - 1], values.ends[k], out, at);
  if (key)
    key.at = copyBytes(values.texts, k === 0 ? 0 : values.textEnds[k - 1], values.textEnds[k], key.bytes, key.at);
  return end;
}

/** An iteration key's text for message `index`: the value with a string's prefix and suffix. */
export function iterationText(node: Extract<SchemaNode, { kind: 'primitive' }>, index: number): string {
  const iteration = node.hints.iteration;
  const value = iteration ? iterationAt(iteration, index) : 0;
  return node.type === 'string' ? `${node.hints.prefix ?? ''}${value}${node.hints.suffix ?? ''}` : String(value);
}

/** The longest entry of values laid side by side (ends[i] where entry i ends). */
export function longestEntry(ends: Uint32Array): number {
  let max = 0;
  for (let i = 0; i < ends.length; i++) max = Math.max(max, ends[i] - (i ? ends[i - 1] : 0));
  return max;
}
