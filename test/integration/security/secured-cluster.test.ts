/**
 * A secured cluster of the test's own (cluster.sh up --security: SCRAM-SHA-512 over TLS, then mTLS), driven as a
 * user would with the client.properties it writes: a storm's count is exact and the topic holds it, verify reads it
 * back with nothing lost, pulse lands exact sums in InfluxDB; every security mistake is one line and exit 3 within
 * seconds; and the password never shows: not on stdout or stderr, in the saved or HTML report, on the dashboard page
 * or /metrics, nor in any process's arguments while the run goes on.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import type { VerifyReport } from '../../../src/report/verify-report.js';
import {
  freshBucket,
  influxToken,
  influxUrl,
  ROOT,
  type RunResult,
  redisUrl,
  run,
  sentimentTotals,
  uniqueTopic,
} from '../../helpers/services.js';
import { CLI } from '../../helpers/storm-cli.js';

const HOME = path.join(ROOT, '.run/secured-cluster');
const clusterEnv = {
  DATASTORM_KAFKA_HOME: HOME,
  DATASTORM_KAFKA_PORT: '39192',
  DATASTORM_CONTROLLER_PORT: '39190',
  DATASTORM_BROKER_HEAP: '384m',
};
const PLAINTEXT = '127.0.0.1:39192';
const SECURED = '127.0.0.1:39292';
const clientProperties = path.join(HOME, 'security/client.properties');
const password = () => fs.readFileSync(path.join(HOME, 'security/scram-password'), 'utf8').trim();

async function up(security: 'sasl_ssl' | 'ssl'): Promise<void> {
  const r = await run(
    'bash',
    ['kafka-cluster/cluster.sh', 'up', '--brokers', '1', '--security', security, '--restart'],
    clusterEnv,
    240_000,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), SECURED, 'the last line is the secured listener');
  assert.match(r.stderr, /client settings in .*client\.properties \(--kafka-config\)/);
  assert.equal(fs.statSync(clientProperties).mode & 0o777, 0o600);
}

const storm = (extra: string[], timeoutMs = 180_000) =>
  run(process.execPath, [CLI, 'storm', '--redis', redisUrl(), '--no-save', ...extra], {}, timeoutMs);

before(() => up('sasl_ssl'));
after(() => run('bash', ['kafka-cluster/cluster.sh', 'down', '--purge'], clusterEnv));

test('SASL_SSL with SCRAM: the storm lands its exact count, the topic holds it, verify reads 0 lost', async () => {
  const topic = uniqueTopic('sasl');
  const r = await storm(['--kafka-config', clientProperties, '--topic', topic, '--count', '30000', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as StormReport;
  assert.equal(report.acknowledged, 30_000);
  assert.equal(report.bootstrap, SECURED, "the file's bootstrap.servers");
  assert.equal(report.settings.client?.['security.protocol'], 'sasl_ssl');
  assert.equal(report.settings.client?.['sasl.password'], '***');
  assert.equal((await topicMessageCount(PLAINTEXT, topic)).total, 30_000);
  const v = await run(process.execPath, [
    CLI,
    'verify',
    '--kafka-config',
    clientProperties,
    '--topic',
    topic,
    '--json',
  ]);
  assert.equal(v.code, 0, v.stderr);
  const verified = JSON.parse(v.stdout) as VerifyReport;
  assert.equal(verified.received, 30_000);
  assert.equal(verified.lost, 0);
  assert.equal(verified.duplicated, 0);
});

test('pulse over SASL_SSL lands exact sums in InfluxDB', async () => {
  const topic = uniqueTopic('sasl-pulse');
  const made = await storm(['--kafka-config', clientProperties, '--topic', topic, '--count', '20000', '--quiet']);
  assert.equal(made.code, 0, made.stderr);
  const bucket = await freshBucket('sasl');
  const args = [CLI, 'pulse', '--kafka-config', clientProperties, '--topic', topic, '--group', `g-${topic}`];
  args.push('--influx-url', influxUrl(), '--influx-bucket', bucket, '--until-idle', '3', '--json', '--quiet');
  const p = await run(process.execPath, args, { DATASTORM_INFLUX_TOKEN: influxToken() });
  assert.equal(p.code, 0, p.stderr);
  assert.equal((JSON.parse(p.stdout) as PulseReport).consumed, 20_000);
  assert.deepEqual(await sentimentTotals(bucket), { positive: 10_000, negative: 6_000, neutral: 4_000 });
});

test('the password shows nowhere: output, saved and HTML reports, dashboard, /metrics, process arguments', async () => {
  const secret = password();
  const html = path.join(HOME, 'report.html');
  const runId = `secret-${Date.now().toString(36)}`;
  // In the file and on the command line both: -X repeats the file's password.
  const args = [
    CLI,
    'storm',
    '--redis',
    redisUrl(),
    '--kafka-config',
    clientProperties,
    '-X',
    `sasl.password=${secret}`,
  ];
  args.push('--topic', uniqueTopic('secret'), '--count', '200000', '--rate', '40000', '--run-id', runId);
  args.push('--html', html, '--dashboard', '18095', '--dashboard-linger', '2');
  const child = spawn(process.execPath, args, { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const seen: string[] = [];
  // From the moment the storm says it started (its title is rewritten before that), every second of the run.
  const watch = setInterval(async () => {
    if (!/^storm /m.test(err)) return;
    seen.push(execFileSync('ps', ['-eo', 'pid,args', '--no-headers']).toString());
    for (const page of ['/', '/metrics'])
      await fetch(`http://127.0.0.1:18095${page}`)
        .then(async (res) => seen.push(await res.text()))
        .catch(() => undefined);
  }, 300);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(watch);
  assert.equal(code, 0, err);
  const storms = path.join(ROOT, 'benchmarks/results/storms');
  const saved = fs.readdirSync(storms).filter((f) => f.includes(runId));
  assert.equal(saved.length, 1, 'the run saved its report');
  assert.ok(
    seen.some((s) => s.includes('datastorm_acknowledged_total')),
    '/metrics was read during the run',
  );
  assert.ok(
    seen.some((s) => s.includes('datastorm storm')),
    "ps saw the storm's processes",
  );
  const texts = [
    out,
    err,
    fs.readFileSync(html, 'utf8'),
    fs.readFileSync(path.join(storms, saved[0]), 'utf8'),
    ...seen,
  ];
  assert.deepEqual(
    texts.filter((text) => text.includes(secret)).map((text) => text.slice(0, 300)),
    [],
  );
});

async function refused(extra: string[], line: RegExp): Promise<RunResult> {
  const started = Date.now();
  const r = await storm(['--topic', uniqueTopic('refused'), '--count', '1000', ...extra], 60_000);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr.trim(), line);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(Date.now() - started < 20_000, `answered in ${Date.now() - started} ms`);
  return r;
}

test('a wrong password: exit 3 naming SASL authentication', async () => {
  await refused(
    ['--kafka-config', clientProperties, '-X', 'sasl.password=wrong'],
    /^datastorm: error: Kafka at 127\.0\.0\.1:39292 refused the SASL authentication/,
  );
});

test('a certificate the client does not trust: exit 3 naming TLS verification and ssl.ca.location', async () => {
  const trustNothing = path.join(HOME, 'no-ca.properties');
  const lines = fs
    .readFileSync(clientProperties, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('ssl.truststore'));
  fs.writeFileSync(trustNothing, lines.join('\n'), { mode: 0o600 });
  await refused(
    ['--kafka-config', trustNothing],
    /^datastorm: error: TLS verification of the broker at .* ssl\.ca\.location/,
  );
});

test('plaintext spoken to the TLS port, and TLS to the plaintext port: exit 3 saying which', async () => {
  await refused(
    ['--bootstrap', SECURED],
    /^datastorm: error: Kafka at 127\.0\.0\.1:39292 speaks TLS and the client spoke plaintext/,
  );
  await refused(
    ['--bootstrap', PLAINTEXT, '-X', 'security.protocol=ssl'],
    /^datastorm: error: Kafka at 127\.0\.0\.1:39192 speaks plaintext and the client spoke TLS/,
  );
});

test('mTLS (--security ssl): the exact count with a client certificate, verify reads 0 lost', async () => {
  await up('ssl');
  const topic = uniqueTopic('mtls');
  const r = await storm(['--kafka-config', clientProperties, '--topic', topic, '--count', '20000', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as StormReport).acknowledged, 20_000);
  const v = await run(process.execPath, [
    CLI,
    'verify',
    '--kafka-config',
    clientProperties,
    '--topic',
    topic,
    '--json',
  ]);
  assert.equal(v.code, 0, v.stderr);
  assert.equal((JSON.parse(v.stdout) as VerifyReport).lost, 0);
});
