/**
 * InfluxDB 2.x through the design card's client (@influxdata/influxdb-client): writes with its WriteApi, reads with
 * its QueryApi (Flux). A write says it is done only once InfluxDB acknowledged it (the offsets it covers are committed
 * after that). Transient failures (connection refused, timeouts, 429, 5xx) are retried with exponential backoff and
 * jitter for as long as it takes: buffered points are never dropped. Wrong credentials, a missing org or bucket and
 * malformed points are not transient: typed errors, at once.
 */
import fs from 'node:fs';
import { HttpError, InfluxDB, type QueryApi, type WriteApi } from '@influxdata/influxdb-client';
import { DataStormError } from '../errors.js';

export interface InfluxTarget {
  url: string;
  org: string;
  bucket: string;
  /** An API token with write (and, for --summary, read) access to the bucket. */
  token: string;
  /** An https InfluxDB: the PEM CA file its certificate is checked against (--influx-ca), not the system's. */
  caFile?: string;
}

/** The design card's client for a target, every request (writes, queries, the checks) through its one transport. */
export const influxClient = (t: InfluxTarget, timeoutMs: number): InfluxDB =>
  new InfluxDB({
    url: t.url,
    token: t.token,
    timeout: timeoutMs,
    ...(t.caFile ? { transportOptions: { ca: fs.readFileSync(t.caFile) } } : {}),
  });

/** Flux's string literal for a name (a bucket may hold quotes or backslashes). */
export const fluxString = (s: string) => JSON.stringify(s);

/** Node's codes for a certificate the client did not trust. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME/;

/** Backoff between write attempts: doubling from 100 ms up to this, half fixed and half random (jitter). */
const MAX_BACKOFF_MS = 10_000;
const WRITE_TIMEOUT_MS = 30_000;

const missingBucket = (t: InfluxTarget) =>
  new DataStormError(
    'INFLUX_DB',
    `InfluxDB bucket '${t.bucket}' does not exist in org '${t.org}' at ${t.url} ` +
      '(scripts/influxdb.sh up creates brandpulse; or pass --influx-bucket / --influx-org)',
  );

/** A typed error for answers no retry can fix; undefined for transient ones. */
function explain(t: InfluxTarget, status: number, body: string): DataStormError | undefined {
  if (status === 401 || status === 403)
    return new DataStormError(
      'INFLUX_AUTH',
      `InfluxDB at ${t.url} refused the token (--influx-token or DATASTORM_INFLUX_TOKEN): ${body.trim().slice(0, 120)}`,
    );
  if (status === 404) return missingBucket(t);
  if (status === 400 || status === 413 || status === 422)
    return new DataStormError('INTERNAL', `InfluxDB refused a write (${status}): ${body.trim().slice(0, 200)}`);
  return undefined;
}

/**
 * Why a request never got an answer, as a user can act on it: TLS refused either way, or the connection's own reason.
 */
function unreachable(t: InfluxTarget, e: Error & { code?: string }, timeoutMs: number): DataStormError {
  const code = e.code ?? '';
  if (UNTRUSTED.test(code))
    return new DataStormError(
      'INFLUX_UNREACHABLE',
      `InfluxDB at ${t.url}: TLS verification of its certificate failed (${code}); ` +
        `${t.caFile ? `--influx-ca ${t.caFile} did not sign it` : 'pass the CA that signed it with --influx-ca FILE'}`,
    );
  if (code === 'EPROTO' || /wrong version number|packet length too long/.test(e.message))
    return new DataStormError(
      'INFLUX_UNREACHABLE',
      `InfluxDB at ${t.url} does not speak TLS there (${code || e.message}); use an http:// --influx-url`,
    );
  if (/aborted/i.test(e.message))
    return new DataStormError(
      'INFLUX_UNREACHABLE',
      `InfluxDB at ${t.url} closed the connection in the middle of its answer`,
    );
  return new DataStormError(
    'INFLUX_UNREACHABLE',
    `cannot reach InfluxDB at ${t.url} within ${timeoutMs / 1000} s (${code || e.message}); ` +
      'start it (scripts/influxdb.sh up) or check --influx-url',
  );
}

/** What an answer that is not 2xx says, for the checks. */
function refused(t: InfluxTarget, e: HttpError): DataStormError {
  const body = e.body ?? '';
  if (/HTTP request to an HTTPS server/.test(body))
    return new DataStormError(
      'INFLUX_UNREACHABLE',
      `InfluxDB at ${t.url} speaks https there; use an https:// --influx-url (and --influx-ca FILE for its CA)`,
    );
  if (e.statusCode >= 300 && e.statusCode < 400)
    return new DataStormError(
      'INFLUX_UNREACHABLE',
      `InfluxDB at ${t.url} answered ${e.statusCode}, a redirect: DataStorm follows none (the token must not go ` +
        'elsewhere); give --influx-url the address it points to',
    );
  // A check is no write: only the token's and the bucket's answers mean what they mean to one.
  const known = [401, 403, 404].includes(e.statusCode) ? explain(t, e.statusCode, body) : undefined;
  return (
    known ??
    new DataStormError('INFLUX_UNREACHABLE', `InfluxDB at ${t.url} answered ${e.statusCode}: ${body.slice(0, 120)}`)
  );
}

/** One request of the checks and set-ups, failures typed. */
async function influxRequest(t: InfluxTarget, path: string, timeoutMs: number, body?: unknown): Promise<unknown> {
  try {
    const method = body === undefined ? 'GET' : 'POST';
    const headers = body === undefined ? undefined : { 'content-type': 'application/json' };
    return await influxClient(t, timeoutMs).transport.request(path, body ?? null, { method, headers });
  } catch (e) {
    throw e instanceof HttpError ? refused(t, e) : unreachable(t, e as Error, timeoutMs);
  }
}

/** Checks, within a few seconds, that InfluxDB answers, the token works and the org and bucket exist. */
export async function checkInflux(t: InfluxTarget, timeoutMs = 5000): Promise<void> {
  const q = `org=${encodeURIComponent(t.org)}&name=${encodeURIComponent(t.bucket)}`;
  const answer = await influxRequest(t, `/api/v2/buckets?${q}`, timeoutMs);
  const buckets = (answer as { buckets?: unknown } | null)?.buckets;
  if (!Array.isArray(buckets)) throw notInflux(t, 'GET /api/v2/buckets', answer);
  if (!buckets.some((b) => (b as { name?: unknown })?.name === t.bucket)) throw missingBucket(t);
}

/** An answer InfluxDB 2 would never give (a login page, an empty body, some other JSON): said, with its start. */
function notInflux(t: InfluxTarget, request: string, answer: unknown): DataStormError {
  const text = typeof answer === 'string' ? answer : (JSON.stringify(answer) ?? '');
  const line = text.replace(/\s+/g, ' ').trim();
  const shown = line === '' ? 'an empty body' : `'${line.length > 80 ? `${line.slice(0, 80)}…` : line}'`;
  return new DataStormError(
    'INFLUX_UNREACHABLE',
    `InfluxDB at ${t.url} answered ${request} with what InfluxDB 2 never does: ${shown}; is --influx-url an ` +
      'InfluxDB 2.x (a proxy or login page in front of it)?',
  );
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
  private readonly writer: WriteApi;

  /** maxLines: the most lines one write() is given (one HTTP request carries them all). */
  constructor(
    private readonly t: InfluxTarget,
    maxLines: number,
  ) {
    // The client batches and sends; its own retries are off (maxRetries 0) because a write here must not be
    // acknowledged to Kafka before InfluxDB took it, nor given up on: the loop below retries until it lands or the
    // child shuts down. flushInterval 0: pulse decides when to flush (--flush-points / --flush-ms). A body past 1 kB
    // goes gzipped (the client compresses on libuv's pool, off the event loop): a flush of text points is megabytes.
    // Several write() calls may be in flight at once: each hands its lines over and sends them in one synchronous step.
    this.writer = influxClient(t, WRITE_TIMEOUT_MS).getWriteApi(t.org, t.bucket, 'ns', {
      batchSize: maxLines + 1,
      maxBatchBytes: 1 << 30,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: maxLines + 1,
      gzipThreshold: 1000,
      writeFailed: (error) => Promise.reject(error),
    });
  }

  /** Abandon retrying (shutdown): the pending write rejects, and its points stay uncommitted in Kafka. */
  abort(): void {
    this.stopping = true;
  }

  /** Resolves once InfluxDB acknowledged every line; retries transient failures until then. */
  async write(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      try {
        this.writer.writeRecords(lines);
        await this.writer.flush();
        this.stats.writes++;
        this.stats.points += lines.length;
        return;
      } catch (e) {
        const status = e instanceof HttpError ? e.statusCode : 0;
        const typed = status ? explain(this.t, status, (e as HttpError).body ?? '') : undefined;
        if (typed) throw typed;
        failure = status ? `HTTP ${status}` : (e as Error).message;
      }
      this.stats.writeErrors++;
      if (this.stopping)
        throw new DataStormError('INFLUX_UNREACHABLE', `InfluxDB write not acknowledged before shutdown (${failure})`);
      this.stats.retries++;
      const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 10));
      await new Promise((r) => setTimeout(r, backoff / 2 + Math.random() * (backoff / 2)));
    }
  }

  async close(): Promise<void> {
    this.writer.dispose();
  }
}

/** Runs a Flux query with the client's QueryApi; returns its rows as objects. */
export async function fluxRows(t: InfluxTarget, flux: string): Promise<Record<string, unknown>[]> {
  const api: QueryApi = influxClient(t, 30_000).getQueryApi(t.org);
  try {
    return await api.collectRows<Record<string, unknown>>(flux);
  } catch (e) {
    const status = e instanceof HttpError ? e.statusCode : 0;
    const typed = status ? explain(t, status, (e as HttpError).body ?? '') : undefined;
    if (typed) throw typed;
    throw new DataStormError('INTERNAL', `InfluxDB query failed: ${(e as Error).message}`);
  }
}

/** Creates t.bucket in t.org (infinite retention), for tests and benchmarks that want totals of their own. */
export async function createBucket(t: InfluxTarget): Promise<void> {
  const orgs = (await influxRequest(t, `/api/v2/orgs?org=${encodeURIComponent(t.org)}`, 10_000)) as {
    orgs?: { id: string }[];
  };
  const orgID = orgs.orgs?.[0]?.id;
  if (!orgID) throw new DataStormError('INFLUX_DB', `InfluxDB org '${t.org}' does not exist at ${t.url}`);
  await influxRequest(t, '/api/v2/buckets', 10_000, { orgID, name: t.bucket, retentionRules: [] });
}

/** Deletes t.bucket (benchmarks drop what they wrote); a bucket already gone is fine. */
export async function dropBucket(t: InfluxTarget): Promise<void> {
  const q = `org=${encodeURIComponent(t.org)}&name=${encodeURIComponent(t.bucket)}`;
  const found = (await influxRequest(t, `/api/v2/buckets?${q}`, 10_000)) as { buckets?: { id: string }[] };
  for (const b of found.buckets ?? [])
    await influxClient(t, 10_000).transport.request(`/api/v2/buckets/${b.id}`, null, { method: 'DELETE' });
}
