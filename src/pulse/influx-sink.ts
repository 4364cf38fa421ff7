/**
 * Writes line protocol to InfluxDB (1.x /write, what Debian ships) and says only once InfluxDB acknowledged (204).
 * Transient failures (connection refused, timeouts, 5xx) are retried with exponential backoff and jitter for as long
 * as it takes: buffered points are never dropped. Wrong credentials and a missing database are not transient: typed
 * errors, at once.
 */
import { DataStormError } from '../errors.js';

export interface InfluxTarget {
  url: string;
  /** user:password */
  token: string;
  db: string;
}

const authHeader = (t: InfluxTarget) => ({ Authorization: `Basic ${Buffer.from(t.token).toString('base64')}` });

const missingDb = (t: InfluxTarget) =>
  new DataStormError(
    'INFLUX_DB',
    `InfluxDB database '${t.db}' does not exist at ${t.url} (create it, e.g. scripts/influxdb.sh up, or pass ` +
      `--influx-db)`,
  );

function explain(t: InfluxTarget, status: number, body: string): DataStormError | undefined {
  if (status === 401 || status === 403)
    return new DataStormError(
      'INFLUX_AUTH',
      `InfluxDB at ${t.url} refused the credentials (--influx-token user:password): ${body.trim().slice(0, 120)}`,
    );
  if (status === 404 && /database not found/i.test(body)) return missingDb(t);
  return undefined;
}

/** Checks, within a few seconds, that InfluxDB answers, the credentials work and the database exists. */
export async function checkInflux(t: InfluxTarget, timeoutMs = 5000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${t.url}/query?q=${encodeURIComponent('SHOW DATABASES')}`, {
      headers: authHeader(t),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    // fetch() says "fetch failed"; why (ECONNREFUSED, a timeout) is in its cause.
    const cause = (e as Error).cause instanceof Error ? ((e as Error).cause as Error) : (e as Error);
    throw new DataStormError(
      'INFLUX_UNREACHABLE',
      `cannot reach InfluxDB at ${t.url} within ${timeoutMs / 1000} s (${cause.message}); ` +
        'start it (scripts/influxdb.sh up) or check --influx-url',
    );
  }
  const body = await res.text();
  const typed = explain(t, res.status, body);
  if (typed) throw typed;
  if (!res.ok)
    throw new DataStormError(
      'INFLUX_UNREACHABLE',
      `InfluxDB at ${t.url} answered ${res.status}: ${body.slice(0, 120)}`,
    );
  const dbs =
    (
      JSON.parse(body) as { results: { series?: { values?: string[][] }[] }[] }
    ).results[0]?.series?.[0]?.values?.flat() ?? [];
  if (!dbs.includes(t.db)) throw missingDb(t);
}

export interface SinkStats {
  writes: number;
  points: number;
  retries: number;
  writeErrors: number;
}

export class InfluxSink {
  readonly stats: SinkStats = { writes: 0, points: 0, retries: 0, writeErrors: 0 };
  private stopping = false;
  constructor(
    private readonly t: InfluxTarget,
    private readonly maxBackoffMs = 10_000,
  ) {}

  /** Abandon retrying (shutdown): the pending write rejects, and its points stay uncommitted in Kafka. */
  abort(): void {
    this.stopping = true;
  }

  /** Resolves once InfluxDB acknowledged every line; retries transient failures until then. */
  async write(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const body = lines.join('\n');
    const url = `${this.t.url}/write?db=${encodeURIComponent(this.t.db)}&precision=ns`;
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: authHeader(this.t),
          body,
          signal: AbortSignal.timeout(30_000),
        });
        if (res.status === 204) {
          this.stats.writes++;
          this.stats.points += lines.length;
          return;
        }
        const text = await res.text();
        const typed = explain(this.t, res.status, text);
        if (typed) throw typed;
        if (res.status === 400)
          throw new DataStormError('INTERNAL', `InfluxDB rejected a write as malformed: ${text.slice(0, 200)}`);
        failure = `HTTP ${res.status}`;
      } catch (e) {
        if (e instanceof DataStormError) throw e;
        failure = (e as Error).message;
      }
      this.stats.writeErrors++;
      if (this.stopping)
        throw new DataStormError('INFLUX_UNREACHABLE', `InfluxDB write not acknowledged before shutdown (${failure})`);
      this.stats.retries++;
      const backoff = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(attempt, 10));
      // jitter: half fixed, half random
      await new Promise((r) => setTimeout(r, backoff / 2 + Math.random() * (backoff / 2)));
    }
  }
}

/** Runs an InfluxQL query; returns the first result's series. */
export async function influxQuery(
  t: InfluxTarget,
  q: string,
): Promise<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]> {
  const res = await fetch(`${t.url}/query?db=${encodeURIComponent(t.db)}&q=${encodeURIComponent(q)}`, {
    headers: authHeader(t),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  const typed = explain(t, res.status, body);
  if (typed) throw typed;
  const j = JSON.parse(body) as { results: { series?: []; error?: string }[] };
  if (j.results[0]?.error) throw new DataStormError('INTERNAL', `InfluxDB query failed: ${j.results[0].error}`);
  return j.results[0]?.series ?? [];
}
