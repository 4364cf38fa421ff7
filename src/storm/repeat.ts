/**
 * Running the same storm again: the flags that reproduce a run (recorded in its report as settings.flags, and as the
 * command line settings.command), and `--from-report FILE`, which takes them back from a saved report. A run id is
 * never carried over (the new run gets its own quota), secrets never are (a Redis URL loses its user and password, a
 * secret -X setting is left out: give them again), and what depended on the machine is written out (the workers, the
 * default count).
 */
import fs from 'node:fs';
import { isSecretSetting } from '../kafka/client-config.js';
import type { RawFlags } from '../option-checks.js';
import type { StormFlagValues } from '../report/storm-report.js';

export type { StormFlagValues };

/** Far above a report of a day-long run (its timeline is one small row a second). */
const MAX_REPORT_BYTES = 64 << 20;

/** Flags that make a run but are not its settings: its origin, its name, its output, its place among instances. */
const NOT_REPEATED = new Set(['scenario', 'from-report', 'run-id', 'instances', 'instance', 'barrier-timeout']);

/**
 * The flags that run the same storm again: what the command line and its scenario file said (`given`, storm flags
 * only), with the values that came from the machine or a default that depends on other flags made explicit.
 */
export function reproducingFlags(
  given: RawFlags,
  known: readonly string[],
  resolved: { workers: number; count?: number },
): StormFlagValues {
  const flags: StormFlagValues = {};
  for (const name of known) {
    const value = given[name];
    if (value === undefined || NOT_REPEATED.has(name)) continue;
    if (Array.isArray(value)) {
      const kept = value.map(String).filter((item) => !isSecretSetting(item.split('=')[0]));
      if (kept.length) flags[name] = kept;
    } else flags[name] = typeof value === 'boolean' ? value : String(value);
  }
  flags.workers = String(resolved.workers);
  if (resolved.count !== undefined) flags.count = String(resolved.count);
  if (typeof flags.redis === 'string') flags.redis = withoutCredentials(flags.redis);
  return flags;
}

/** A URL without its user and password (kept out of reports and command lines). */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** The command line that reproduces a run: `datastorm storm --flag value …`, each value quoted for a POSIX shell. */
export function commandLine(flags: StormFlagValues): string {
  const words = ['datastorm', 'storm'];
  for (const [name, value] of Object.entries(flags)) {
    const dashed = name.length === 1 ? `-${name}` : `--${name}`;
    if (value === true) words.push(dashed);
    else if (value === false) words.push(`--no-${name}`);
    else for (const item of Array.isArray(value) ? value : [value]) words.push(dashed, shellQuote(item));
  }
  return words.join(' ');
}

const shellQuote = (word: string) =>
  /^[A-Za-z0-9_.,:/%@=+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

/** The flags a saved storm report recorded, or the one problem that stops reading them. */
export function flagsFromReport(file: string): { flags?: StormFlagValues; problem?: string } {
  const refuse = (why: string) => ({ problem: `--from-report ${why} (got '${file}')` });
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return refuse('must be a storm report file (a saved JSON report)');
    if (stat.size > MAX_REPORT_BYTES) return refuse(`is larger than any storm report (${MAX_REPORT_BYTES >> 20} MiB)`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return refuse(`cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let report: { settings?: { flags?: unknown } };
  try {
    report = JSON.parse(text);
  } catch {
    return refuse('must be a storm report in JSON (datastorm storm --json, or one saved under benchmarks/results)');
  }
  const flags = report?.settings?.flags;
  if (!isFlagValues(flags))
    return refuse(
      'has no settings.flags: it was saved by a DataStorm older than --from-report, or is not a storm report',
    );
  return { flags };
}

function isFlagValues(v: unknown): v is StormFlagValues {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'boolean';
  return Object.values(v).every((x) => scalar(x) || (Array.isArray(x) && x.every((item) => typeof item === 'string')));
}
