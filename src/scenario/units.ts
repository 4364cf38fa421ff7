/**
 * The units scenario values are written in: rates as `200k`, `1.5m` or `50000` (messages per second), durations as
 * `500ms`, `30s`, `2m`, `1h` or a bare number of seconds. NaN for anything else, so a caller can name what is allowed.
 */

const RATE = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/;
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/;
const RATE_UNIT: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 };
const DURATION_UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Messages per second from `200k`, `1.5m`, `50000` (or a number); NaN when it is none of those. */
export function parseRate(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : Number.NaN;
  const m = RATE.exec(String(v));
  return m ? Number(m[1]) * RATE_UNIT[m[2]] : Number.NaN;
}

/** Seconds from `500ms`, `30s`, `2m`, `1h`, `45` (or a number); NaN when it is none of those. */
export function parseDuration(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : Number.NaN;
  const m = DURATION.exec(String(v));
  return m ? Number(m[1]) * DURATION_UNIT[m[2] ?? 's'] : Number.NaN;
}

/** 200000 → "200k", 1500000 → "1.5M": rates as a person writes them. */
export function formatRate(r: number): string {
  if (r >= 1e6 && r % 1e5 === 0) return `${r / 1e6}M`;
  if (r >= 1e3 && r % 100 === 0) return `${r / 1e3}k`;
  return String(Math.round(r * 100) / 100);
}

export const RATE_FORMAT = 'a rate like 50000, 200k or 1.5M (messages/s)';
export const DURATION_FORMAT = 'a duration like 500ms, 30s, 2m or 1h';
