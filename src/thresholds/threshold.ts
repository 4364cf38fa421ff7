/**
 * Thresholds (--threshold EXPR, repeatable; a `thresholds:` list in a scenario file): a bar over one of the report's
 * own figures, judged at the end on the exact figures, and with abort-on-fail also every second on the live ones.
 *   threshold := figure op value [abort-on-fail[=GRACE]]
 *   op        := < | <= | > | >= | == | !=
 *   value     := as the figure's unit reads it:
 *     rate   messages/s: 500k, 1.5M, 20000 (an optional /s)
 *     ms     250ms, 1.5s, 2m, or a bare number of milliseconds (as k6 reads p(99)<250)
 *     count  0, 1500, 2k, 1M
 *     share  0.1% or a fraction (0.001)
 *     mb/s   megabytes per second: 120 (an optional MB/s)
 * The figures are the command's own (run/figures.ts); `p(99)` is read as p99 and `p(99.9)` as p999. With
 * abort-on-fail, a figure that has a live reading stops the run once it has failed every second for GRACE (default
 * 5 s; 0 stops at the first failing second), counted after the warm-up; the run ends with its whole report.
 */
import { DURATION_FORMAT, parseDuration, parseRate } from '../scenario/units.js';

export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type Unit = 'rate' | 'ms' | 'count' | 'share' | 'mb/s';

export interface Threshold {
  /** As the user wrote it (trimmed): the name the report, JUnit and the summary use. */
  expr: string;
  figure: string;
  op: Op;
  limit: number;
  unit: Unit;
  /** `figure{group=N}`: the figure of the readers' group N alone (its name ends in -gN), not the worst group's. */
  group?: number;
  /** abort-on-fail: stop the run once the live figure failed every second for graceSec. */
  abort: { graceSec: number } | null;
}

/** What a command's figure is, for parsing and for judging. */
export interface FigureSpec {
  unit: Unit;
  /** Has a per-second reading, so abort-on-fail can watch it. */
  live: boolean;
  /** Taken per readers' group too: `figure{group=N}`. */
  perGroup?: boolean;
}

export interface ThresholdResult {
  expr: string;
  figure: string;
  /** The figure's exact value at the end (null: the run did not measure it, which fails the threshold). */
  value: number | null;
  unit: Unit;
  passed: boolean;
}

export interface ThresholdOutcome {
  results: ThresholdResult[];
  passed: boolean;
  /** The threshold that stopped the run live, and its last reading; null when none did. */
  aborted: { expr: string; atSec: number; value: number; failingSec: number } | null;
}

export const DEFAULT_GRACE_SEC = 5;
const OPS: readonly Op[] = ['<=', '>=', '==', '!=', '<', '>'];
const SHAPE = /^\s*([A-Za-z][A-Za-z0-9.()_-]*)(\{[^}]*\})?\s*(<=|>=|==|!=|<|>)\s*([^\s<>=!]\S*)\s*(.*)$/s;
const GROUP = /^\{\s*group\s*[=:]\s*g?(\d{1,2})\s*\}$/;
const FORMAT = "a figure, an operator (< <= > >= == !=) and a value, e.g. 'rate>=500k' or 'p99<250ms'";
const UNIT_FORMAT: Record<Unit, string> = {
  rate: 'a rate like 500k, 1.5M or 20000 (messages/s)',
  ms: 'a time like 250ms, 1.5s or 2m (a bare number is milliseconds)',
  count: 'a count like 0, 1500, 2k or 1M',
  share: 'a share like 0.1% or a fraction from 0 to 1',
  'mb/s': 'megabytes per second, like 120',
};

/** `p(99)` → p99, `p(99.9)` → p999, as k6 users write them. */
const canonicalFigure = (name: string) =>
  name.replace(/p\((\d+(?:\.\d+)?)\)/g, (_, q: string) => `p${q.replace('.', '')}`).toLowerCase();

/** The value as the unit reads it; NaN when it does not. */
export function readValue(text: string, unit: Unit): number {
  switch (unit) {
    case 'rate':
      return parseRate(text.replace(/\/s$/i, ''));
    case 'ms': {
      if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
      return parseDuration(text) * 1000;
    }
    case 'count': {
      const n = parseRate(text);
      return Number.isInteger(n) ? n : Number.NaN;
    }
    case 'share': {
      const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
      const n = percent ? Number(percent[1]) / 100 : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
      return n >= 0 && n <= 1 ? n : Number.NaN;
    }
    case 'mb/s':
      return /^\d+(?:\.\d+)?$/.test(text.replace(/MB\/s$/i, '')) ? Number(text.replace(/MB\/s$/i, '')) : Number.NaN;
  }
}

/**
 * Every threshold of `exprs`, or every problem with them, each naming `where` ('--threshold' or the scenario file's
 * key), the threshold, and what is allowed.
 */
export function parseThresholds(
  exprs: readonly string[],
  figures: Readonly<Record<string, FigureSpec>>,
  where = '--threshold',
): { thresholds: Threshold[]; problems: string[] } {
  const thresholds: Threshold[] = [];
  const problems: string[] = [];
  for (const raw of exprs) {
    const parsed = parseOne(String(raw), figures);
    if (typeof parsed === 'string') problems.push(`${where} '${String(raw).trim()}': ${parsed}`);
    else if (!thresholds.some((t) => t.expr === parsed.expr)) thresholds.push(parsed);
  }
  return { thresholds, problems };
}

/** The --threshold flag as given (absent, once, or repeated) as a list of expressions. */
export const thresholdExprs = (given: unknown): string[] =>
  given === undefined ? [] : (Array.isArray(given) ? given : [given]).map(String);

/** One threshold, or what is wrong with it. */
function parseOne(raw: string, figures: Readonly<Record<string, FigureSpec>>): Threshold | string {
  const expr = raw.trim();
  const m = SHAPE.exec(expr);
  if (!m) return `must be ${FORMAT}`;
  const [, name, selector, op, valueText, rest] = m;
  const figure = canonicalFigure(name);
  const spec = Object.hasOwn(figures, figure) ? figures[figure] : undefined;
  if (!spec) return `'${name}' is not a figure of this command (known: ${Object.keys(figures).join(', ')})`;
  const group = selector === undefined ? undefined : groupOf(selector, figure, spec);
  if (typeof group === 'string') return group;
  const limit = readValue(valueText, spec.unit);
  if (Number.isNaN(limit)) return `${figure} takes ${UNIT_FORMAT[spec.unit]} (got '${valueText}')`;
  const abort = parseAbort(rest.trim(), figure, spec);
  if (typeof abort === 'string') return abort;
  const t: Threshold = { expr, figure, op: OPS.find((o) => o === op) as Op, limit, unit: spec.unit, abort };
  return group === undefined ? t : { ...t, group };
}

/** `{group=N}` (or `{group=gN}`) after a readers' figure: its group N alone. */
function groupOf(selector: string, figure: string, spec: FigureSpec): number | string {
  if (!spec.perGroup) return `${figure} is not a readers' figure: only those take {group=N}`;
  const m = GROUP.exec(selector);
  if (!m)
    return `a group is named {group=N}, N the number its name ends in (-gN), e.g. e2e.p99{group=0} (got '${selector}')`;
  return Number(m[1]);
}

/** `abort-on-fail[=GRACE]` after the expression, or nothing. */
function parseAbort(rest: string, figure: string, spec: FigureSpec): Threshold['abort'] | string {
  if (rest === '') return null;
  const m = /^abort-on-fail(?:=(\S+))?$/.exec(rest);
  if (!m) return `after the value only 'abort-on-fail' or 'abort-on-fail=GRACE' may follow (got '${rest}')`;
  if (!spec.live)
    return `abort-on-fail needs a figure measured every second; ${figure} is known only at the end (judge it then)`;
  const graceSec = m[1] === undefined ? DEFAULT_GRACE_SEC : parseDuration(m[1]);
  if (!Number.isFinite(graceSec) || graceSec > 3600)
    return `abort-on-fail's grace must be ${DURATION_FORMAT}, up to 1h (got '${m[1]}')`;
  return { graceSec };
}

/** Whether `value` meets the threshold. */
export function holds(t: Pick<Threshold, 'op' | 'limit'>, value: number): boolean {
  switch (t.op) {
    case '<':
      return value < t.limit;
    case '<=':
      return value <= t.limit;
    case '>':
      return value > t.limit;
    case '>=':
      return value >= t.limit;
    case '==':
      return value === t.limit;
    case '!=':
      return value !== t.limit;
  }
}

/** Every threshold judged on the figures' exact values at the end (`figureValue` returns null for one not measured). */
export function judgeAtEnd(
  thresholds: readonly Threshold[],
  figureValue: (t: Threshold) => number | null,
  aborted: ThresholdOutcome['aborted'] = null,
): ThresholdOutcome {
  const results = thresholds.map((t): ThresholdResult => {
    const value = figureValue(t);
    // The threshold that stopped the run failed, whatever its figure came to over the shortened run.
    const passed = aborted?.expr !== t.expr && value !== null && holds(t, value);
    return { expr: t.expr, figure: t.figure, value, unit: t.unit, passed };
  });
  return { results, passed: results.every((r) => r.passed) && aborted === null, aborted };
}

/** A value in its unit, as the report prints it: 812,345/s, 250 ms, 0.12%, 1,500, 95.2 MB/s. */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null) return 'not measured';
  const en = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
  switch (unit) {
    case 'rate':
      return `${en(value)}/s`;
    case 'ms':
      return `${en(value, 2)} ms`;
    case 'count':
      return en(value);
    case 'share':
      return `${en(value * 100, 4)}%`;
    case 'mb/s':
      return `${en(value, 2)} MB/s`;
  }
}
