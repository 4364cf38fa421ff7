/** The real services scripts/test.sh started. A test that needs one and does not find it fails; nothing is skipped. */
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBucket, fluxRows, type InfluxTarget } from '../../src/influx/influx-sink.js';
import { topicMessageCount } from '../../src/kafka/admin.js';
import { localInfluxToken } from '../../src/local/services.js';
import { COUNT_WINDOW } from '../../src/pulse/points.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} is not set: run the tests through 'npm test' (scripts/test.sh starts Kafka and Redis)`);
  return v;
}

export const bootstrap = (): string => required('DATASTORM_TEST_BOOTSTRAP');
export const redisUrl = (): string => required('DATASTORM_TEST_REDIS');
/** The test cluster's SASL_SSL listener (SCRAM-SHA-512 over TLS) and the client.properties cluster.sh wrote for it. */
export const securedBootstrap = (): string => required('DATASTORM_TEST_SECURED_BOOTSTRAP');
export const kafkaConfig = (): string => required('DATASTORM_TEST_KAFKA_CONFIG');

/**
 * A port nothing listens on now, as the kernel picks one: a port made of the pid could be one the suite's services
 * hold (the registry's 18181 for one).
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (never rejects); env is merged over process.env. */
export function run(
  cmd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

export const influxUrl = (): string => required('DATASTORM_TEST_INFLUX');
/** The test Schema Registry's Confluent API (Apicurio, scripts/registry.sh). */
export const registryUrl = (): string => required('DATASTORM_TEST_REGISTRY');
/** The test InfluxDB's operator token (scripts/test.sh reads it with scripts/influxdb.sh token). */
export const influxToken = (): string => required('DATASTORM_TEST_INFLUX_TOKEN');
export const INFLUX_ORG = 'datastorm';

/** Where a test's pulse writes: the test InfluxDB, the org, this bucket. */
export const influxTarget = (bucket: string): InfluxTarget => ({
  url: influxUrl(),
  org: INFLUX_ORG,
  bucket,
  token: influxToken(),
});

/** The second test InfluxDB: https only, its certificate signed by a CA of its own (scripts/influxdb.sh up --tls). */
export const influxTlsUrl = (): string => required('DATASTORM_TEST_INFLUX_TLS');
export const influxCa = (): string => required('DATASTORM_TEST_INFLUX_CA');
export const influxTlsTarget = (bucket: string): InfluxTarget => {
  const token = localInfluxToken(influxTlsUrl());
  if (!token) throw new Error(`no token of the https InfluxDB at ${influxTlsUrl()} in .run`);
  return { url: influxTlsUrl(), org: INFLUX_ORG, bucket, token, caFile: influxCa() };
};

/** A fresh InfluxDB bucket for one test (totals are then that test's own), in the test InfluxDB or the one given. */
export async function freshBucket(prefix: string, target = influxTarget): Promise<string> {
  const bucket = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  await createBucket(target(bucket));
  return bucket;
}

/** Sums of the count field per value of a tag over everything in the bucket (Flux). */
async function countSumsBy(bucket: string, tag: string, target = influxTarget): Promise<Record<string, number>> {
  const rows = await fluxRows(
    target(bucket),
    `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "tweets" and ` +
      `r._field == "count") |> group(columns: ["${tag}"]) |> sum()`,
  );
  const by: Record<string, number> = {};
  for (const r of rows) by[String(r[tag])] = Number(r._value);
  return by;
}

/** Sums of the count field per sentiment over everything in the bucket (Flux). */
export const sentimentTotals = (bucket: string, target = influxTarget): Promise<Record<string, number>> =>
  countSumsBy(bucket, 'sentiment', target);

/**
 * Where a bucket's counts fall short of a topic's messages, for a failing test to say: per partition whose sum differs,
 * the topic's count and InfluxDB's and, for the counts store, the offset windows that are not whole (a counts point's
 * ns below the second is its window number). '' when every partition agrees.
 */
export async function shortfallByPartition(bucket: string, topic: string, store: 'points' | 'counts'): Promise<string> {
  const { perPartition } = await topicMessageCount(bootstrap(), topic);
  const stored = await countSumsBy(bucket, 'partition');
  const lines: string[] = [];
  for (const [partition, messages] of perPartition.entries()) {
    const sum = stored[partition] ?? 0;
    if (sum === messages) continue;
    const windows = store === 'counts' ? await windowsNotWhole(bucket, partition, messages) : '';
    lines.push(`partition ${partition}: topic ${messages}, InfluxDB ${sum}${windows}`);
  }
  return lines.join('; ');
}

async function windowsNotWhole(bucket: string, partition: number, messages: number): Promise<string> {
  const points = await fluxRows(
    influxTarget(bucket),
    `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._field == "count" and ` +
      `r.partition == "${partition}") |> group() |> keep(columns: ["_time", "_value"])`,
  );
  const byWindow = new Map<number, number>();
  for (const point of points) {
    const window = Number(/\.(\d{9})Z$/.exec(String(point._time))?.[1] ?? 0);
    byWindow.set(window, (byWindow.get(window) ?? 0) + Number(point._value));
  }
  const short: string[] = [];
  for (let window = 0; window * COUNT_WINDOW < messages; window++) {
    const whole = Math.min(COUNT_WINDOW, messages - window * COUNT_WINDOW);
    const sum = byWindow.get(window) ?? 0;
    if (sum !== whole) short.push(`${window}: ${sum} of ${whole}`);
  }
  return short.length ? ` (windows not whole: ${short.join(', ')})` : '';
}

/** How many points the bucket holds (the count field's values, over all series). */
export async function pointCount(bucket: string): Promise<number> {
  const rows = await fluxRows(
    influxTarget(bucket),
    `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "tweets" and ` +
      'r._field == "count") |> group() |> count()',
  );
  return Number(rows[0]?._value ?? 0);
}

/** Deletes every point of the bucket (the delete API), so a test that uses the default bucket has its own totals. */
export async function emptyBucket(bucket: string): Promise<void> {
  const res = await fetch(`${influxUrl()}/api/v2/delete?org=${INFLUX_ORG}&bucket=${bucket}`, {
    method: 'POST',
    headers: { Authorization: `Token ${influxToken()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ start: '1970-01-01T00:00:00Z', stop: '2100-01-01T00:00:00Z' }),
  });
  if (res.status !== 204) throw new Error(`cannot empty bucket ${bucket}: ${res.status} ${await res.text()}`);
}
