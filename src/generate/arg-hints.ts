/**
 * Generator hints in an Avro schema, as avro-random-generator reads them (kafka-connect-datagen's schemas are written
 * with them): a type's `arg.properties` object, beside its "type".
 *   options    [v, …]                       values to pick from (uniformly); any type
 *   iteration  {start, step?, restart?, initial?}  numbers stepping from start (step 1 or -1 by restart's side),
 *                                           wrapping at restart back to start, the first being initial; booleans
 *                                           alternate from start; a string is the whole number's digits (with
 *                                           prefix and suffix)
 *   range      {min?, max?}                 numbers (and decimals) in [min, max)
 *   length     n | {min?, max?}             strings, bytes, arrays, maps (default 8 to 16); with regex, n is the
 *                                           shortest string
 *   regex      "…"                          strings matching it
 *   prefix, suffix  "…"                     around a string
 *   keys       {…the string hints…}         a map's keys
 *   odds       p in [0, 1]                  how often a boolean is true
 * Each hint is checked against the type it sits on and its values' shapes; every problem is reported at once, each
 * naming the field's path ("address.zipcode: range.min must be below range.max").
 */

export interface Span {
  min: number;
  max: number;
}

export interface Iteration {
  start: number;
  step: number;
  /** Wraps back to start on reaching it (exclusive); none: steps for ever. */
  restart?: number;
  initial: number;
}

export interface ArgHints {
  options?: unknown[];
  iteration?: Iteration;
  range?: Partial<Span>;
  length?: Span;
  /** The shortest string with a regex (a bare length next to a regex). */
  minLength?: number;
  regex?: string;
  prefix?: string;
  suffix?: string;
  keys?: ArgHints;
  odds?: number;
}

const DEFAULT_LENGTH: Span = { min: 8, max: 16 };
const NUMERIC = new Set(['int', 'long', 'float', 'double']);
const ALLOWED: Record<string, readonly string[]> = {
  null: ['options'],
  boolean: ['options', 'iteration', 'odds'],
  int: ['options', 'range', 'iteration'],
  long: ['options', 'range', 'iteration'],
  float: ['options', 'range', 'iteration'],
  double: ['options', 'range', 'iteration'],
  bytes: ['options', 'length'],
  string: ['options', 'length', 'regex', 'prefix', 'suffix', 'iteration'],
  array: ['options', 'length'],
  map: ['options', 'length', 'keys'],
  enum: ['options'],
  fixed: ['options'],
  /** bytes or fixed with logicalType decimal: a range of decimal values. */
  decimal: ['options', 'range'],
  record: ['options'],
  union: ['options'],
};

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The hints of a type (`type` is the Avro type's name: int, string, record, union, …), or every problem with them. */
export function readHints(raw: unknown, type: string, where: string, problems: string[]): ArgHints {
  if (raw === undefined) return {};
  if (!isObject(raw)) {
    problems.push(`${where}: arg.properties must be an object of hints`);
    return {};
  }
  const allowed = ALLOWED[type] ?? [];
  const hints: ArgHints = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!allowed.includes(name)) {
      problems.push(`${where}: '${name}' is not a hint for ${type} (allowed: ${allowed.join(', ') || 'none'})`);
      continue;
    }
    readHint(hints, name, value, type, `${where}: ${name}`, problems);
  }
  const given = Object.keys(raw).filter((n) => allowed.includes(n));
  problems.push(...combinationProblems(given, hints, where));
  return hints;
}

/**
 * Hints given together are honoured together or refused, never one silently dropped: options fix the values (no
 * other hint can shape them), an iteration steps them (a range, odds, a regex or a length would be ignored), and a
 * regex decides a string's length (only a bare length n, the shortest string, goes with it).
 */
function combinationProblems(given: string[], hints: ArgHints, where: string): string[] {
  const problems: string[] = [];
  const others = (except: readonly string[]) => given.filter((n) => !except.includes(n));
  if (hints.options) {
    const ignored = others(['options']);
    if (ignored.length)
      problems.push(`${where}: options fix the values, so ${ignored.join(', ')} would be ignored: give one`);
    return problems;
  }
  if (hints.iteration) {
    const ignored = others(['iteration', 'prefix', 'suffix']);
    if (ignored.length)
      problems.push(`${where}: iteration steps the values, so ${ignored.join(', ')} would be ignored: give one`);
  }
  if (hints.regex !== undefined && hints.length && hints.minLength === undefined)
    problems.push(
      `${where}: regex decides the length, so length {min, max} would be ignored (a bare length n next to a regex ` +
        'is the shortest string it draws)',
    );
  return problems;
}

function readHint(hints: ArgHints, name: string, value: unknown, type: string, where: string, problems: string[]) {
  switch (name) {
    case 'options':
      if (Array.isArray(value) && value.length > 0) hints.options = value;
      else problems.push(`${where} must be a non-empty list of values (a file of options is not supported)`);
      return;
    case 'iteration':
      hints.iteration = readIteration(value, type, where, problems);
      return;
    case 'range':
      hints.range = readSpan(value, where, problems, false);
      return;
    case 'length':
      if (isNumber(value) && Number.isInteger(value) && value >= 0) {
        hints.length = { min: value, max: value + 1 };
        hints.minLength = value;
      } else hints.length = readSpan(value, where, problems, true, DEFAULT_LENGTH);
      return;
    case 'regex':
      if (typeof value === 'string') hints.regex = value;
      else problems.push(`${where} must be a string`);
      return;
    case 'prefix':
    case 'suffix':
      if (typeof value === 'string') hints[name] = value;
      else problems.push(`${where} must be a string`);
      return;
    case 'keys':
      hints.keys = readHints(value, 'string', where, problems);
      return;
    case 'odds':
      if (isNumber(value) && value >= 0 && value <= 1) hints.odds = value;
      else problems.push(`${where} must be a number from 0 to 1 (got ${JSON.stringify(value)})`);
      return;
  }
}

/** {min, max}: at least one, numbers, min below max; `whole` for lengths (whole numbers, from 0). */
function readSpan(value: unknown, where: string, problems: string[], whole: true, fallback: Span): Span;
function readSpan(value: unknown, where: string, problems: string[], whole: false): Partial<Span>;
function readSpan(value: unknown, where: string, problems: string[], whole: boolean, fallback?: Span) {
  const ok = (v: unknown) => v === undefined || (isNumber(v) && (!whole || (Number.isInteger(v) && v >= 0)));
  if (!isObject(value) || (value.min === undefined && value.max === undefined) || !ok(value.min) || !ok(value.max)) {
    const what = whole ? 'whole numbers from 0' : 'numbers';
    problems.push(`${where} must be {"min": …, "max": …} (at least one; ${what}), got ${JSON.stringify(value)}`);
    return fallback ?? {};
  }
  const span = { min: value.min as number | undefined, max: value.max as number | undefined };
  if (span.min !== undefined && span.max !== undefined && span.min >= span.max)
    problems.push(`${where}.min must be below ${where.split(': ').pop()}.max (got ${span.min} and ${span.max})`);
  if (!fallback) return span;
  const min = span.min ?? Math.min(fallback.min, (span.max ?? fallback.max) - 1);
  return { min, max: span.max ?? Math.max(min + 1, fallback.max) };
}

function readIteration(value: unknown, type: string, where: string, problems: string[]): Iteration | undefined {
  if (!isObject(value) || (!isNumber(value.start) && typeof value.start !== 'boolean')) {
    problems.push(`${where} must be {"start": …, "step"?, "restart"?, "initial"?} (got ${JSON.stringify(value)})`);
    return undefined;
  }
  if (type === 'boolean') {
    if (typeof value.start !== 'boolean' || Object.keys(value).some((k) => k !== 'start'))
      problems.push(`${where} on a boolean takes only {"start": true|false}`);
    return { start: 0, step: 1, restart: 2, initial: value.start ? 1 : 0 };
  }
  const start = value.start as number;
  const restart = value.restart as number | undefined;
  for (const key of ['step', 'restart', 'initial'])
    if (value[key] !== undefined && !isNumber(value[key])) problems.push(`${where}.${key} must be a number`);
  if (restart !== undefined && restart === start) problems.push(`${where}.restart must differ from its start`);
  const step = (value.step as number | undefined) ?? (restart !== undefined && restart < start ? -1 : 1);
  if (step === 0) problems.push(`${where}.step must not be 0`);
  if (restart !== undefined && restart !== start && step !== 0 && Math.sign(restart - start) !== Math.sign(step))
    problems.push(`${where}.step must go from start toward restart`);
  const integral = type === 'int' || type === 'long' || type === 'string';
  if (integral && ![start, step, restart ?? 0, value.initial ?? 0].every((n) => Number.isInteger(n)))
    problems.push(`${where} on ${type} takes whole numbers`);
  return { start, step, restart, initial: (value.initial as number | undefined) ?? start };
}

/** The iteration's value at index i (0-based): from initial, stepping, wrapping at restart back to start. */
export function iterationAt(it: Iteration, i: number): number {
  const first = it.initial + i * it.step;
  if (it.restart === undefined) return first;
  const span = it.restart - it.start;
  const offset = (first - it.start) % span;
  const wrapped = (span > 0 && offset < 0) || (span < 0 && offset > 0) ? offset + span : offset;
  return it.start + wrapped;
}

export const isNumeric = (type: string) => NUMERIC.has(type);
export { DEFAULT_LENGTH };
