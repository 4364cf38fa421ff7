/**
 * The checks every command's options module shares: each reads one raw flag (a string as the command line gives it,
 * a number from a library caller, or absent), returns its typed value, and records a one-line problem that names the
 * flag and what is allowed. An options module runs all its checks before it decides, so a user sees every problem at
 * once (k6's validate()).
 */

import { isBootstrapList } from './bootstrap.js';
import { InvalidOptionsError } from './errors.js';

/** Raw flags by name (strings from the command line, or numbers and booleans from a library caller). */
export type RawFlags = Readonly<Record<string, unknown>>;

const en = (n: number) => n.toLocaleString('en-US');

/** A whole number from a string or a number; NaN for anything else ("12.5", "ten", ""). */
export const toWhole = (v: unknown) =>
  typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
/** Any number from a string or a number; NaN for anything else. */
export const toNumber = (v: unknown) =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;

export const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export class OptionChecks {
  readonly problems: string[] = [];

  add(problem: string): void {
    this.problems.push(problem);
  }

  /** A whole number in [min, max]; `what` names the unit in the message ("whole number of milliseconds"). */
  whole(
    flag: string,
    v: unknown,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
    what = 'whole number',
  ): number | undefined {
    if (v === undefined) return undefined;
    const n = toWhole(v);
    if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
    const range = max < Number.MAX_SAFE_INTEGER ? `from ${en(min)} to ${en(max)}` : `from ${en(min)} up`;
    this.add(`--${flag} must be a ${what} ${range} (got '${String(v)}')`);
    return undefined;
  }

  /**
   * A finite number passing `ok`; `allowed` says what is (the message is "--flag must be <allowed> (got '…')").
   * `read` turns the raw value into a number: a plain number by default, or a unit grammar (scenario/units.ts).
   */
  number(
    flag: string,
    v: unknown,
    ok: (n: number) => boolean,
    allowed: string,
    read: (v: unknown) => number = toNumber,
  ): number | undefined {
    if (v === undefined) return undefined;
    const n = read(v);
    if (Number.isFinite(n) && ok(n)) return n;
    this.add(`--${flag} must be ${allowed} (got '${String(v)}')`);
    return undefined;
  }

  /** One of a fixed set of words. */
  oneOf<T extends string>(flag: string, v: unknown, allowed: readonly T[], list = allowed.join(', ')): T | undefined {
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(String(v))) return String(v) as T;
    this.add(`--${flag} must be ${list} (got '${String(v)}')`);
    return undefined;
  }

  /** A Kafka topic name. */
  topic(v: unknown, flag = 'topic'): string | undefined {
    if (v === undefined) return undefined;
    if (TOPIC_NAME.test(String(v))) return String(v);
    this.add(`--${flag} must be 1-249 characters of letters, digits, '.', '_' or '-' (got '${String(v)}')`);
    return undefined;
  }

  /** host:port[,host:port…] */
  bootstrap(v: unknown): string | undefined {
    if (v === undefined) return undefined;
    if (isBootstrapList(String(v))) return String(v);
    this.add(`--bootstrap must be host:port[,host:port…] (got '${String(v)}')`);
    return undefined;
  }

  /** An http:// or https:// URL, without a trailing slash. */
  httpUrl(flag: string, v: unknown): string | undefined {
    if (v === undefined) return undefined;
    if (/^https?:\/\/[^/\s]+/.test(String(v))) return String(v).replace(/\/$/, '');
    this.add(`--${flag} must be an http:// or https:// URL (got '${String(v)}')`);
    return undefined;
  }

  /** Child processes: 1 to 256. */
  workers(v: unknown): number | undefined {
    return this.whole('workers', v, 1, 256);
  }
}

/** The parsed options, or an InvalidOptionsError (exit 2) carrying every problem. */
export function validOrThrow<T>(parsed: { request?: T; problems: string[] }): T {
  if (parsed.problems.length || parsed.request === undefined) throw new InvalidOptionsError(parsed.problems);
  return parsed.request;
}
