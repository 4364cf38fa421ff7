/** The real services scripts/test.sh started. A test that needs one and does not find it fails; nothing is skipped. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} is not set: run the tests through 'npm test' (scripts/test.sh starts Kafka and Redis)`);
  return v;
}

export const bootstrap = (): string => required('DATASTORM_TEST_BOOTSTRAP');
export const redisUrl = (): string => required('DATASTORM_TEST_REDIS');

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
export const INFLUX_TOKEN = 'datastorm:datastorm';

/** A fresh InfluxDB database for one test (totals are then that test's own). */
export async function freshInfluxDb(prefix: string): Promise<string> {
  const db = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const res = await fetch(`${influxUrl()}/query`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(INFLUX_TOKEN).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: `q=${encodeURIComponent(`CREATE DATABASE "${db}"`)}`,
  });
  if (!res.ok) throw new Error(`cannot create database ${db}: ${await res.text()}`);
  return db;
}
