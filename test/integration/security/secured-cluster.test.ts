/**
 * Secured clusters driven as a user would, with the client.properties cluster.sh writes: the test cluster's SASL_SSL
 * listener (SCRAM-SHA-512 over TLS, scripts/test.sh starts it) and a cluster of the test's own with mTLS. A storm's
 * count is exact and the topic holds it, verify reads it back with nothing lost, pulse lands exact sums in InfluxDB,
 * and the password never shows: not on stdout or stderr, in the saved or HTML report, on the dashboard page or
 * /metrics, nor in any process's arguments while the run goes on. The same listener takes OAUTHBEARER (Kafka's
 * unsecured JWT); pulse writes to an https InfluxDB with a CA of its own, and its dashboard reads it back.
 * Each security mistake (wrong password, untrusted certificate, plaintext and TLS crossed) is a row of the bad-input
 * table.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import type { VerifyReport } from '../../../src/report/verify-report.js';
import type { BrandPulseView } from '../../../src/serve/brandpulse-source.js';
import {
  bootstrap,
  freshBucket,
  influxCa,
  influxTlsTarget,
  influxTlsUrl,
  influxToken,
  influxUrl,
  kafkaConfig,
  ROOT,
  redisUrl,
  run,
  securedBootstrap,
  sentimentTotals,
  uniqueTopic,
} from '../../helpers/services.js';
import { CLI } from '../../helpers/storm-cli.js';

/** The mTLS cluster of this test's own (the test cluster speaks SASL_SSL). */
const MTLS_HOME = path.join(ROOT, '.run/mtls-cluster');
const mtlsEnv = {
  DATASTORM_KAFKA_HOME: MTLS_HOME,
  DATASTORM_KAFKA_PORT: '26192',
  DATASTORM_CONTROLLER_PORT: '26190',
  DATASTORM_BROKER_HEAP: '384m',
};
const oauthConfig = () => path.join(path.dirname(kafkaConfig()), 'client-oauthbearer.properties');
const password = () => fs.readFileSync(path.join(path.dirname(kafkaConfig()), 'scram-password'), 'utf8').trim();

const storm = (extra: string[], timeoutMs = 180_000) =>
  run(process.execPath, [CLI, 'storm', '--redis', redisUrl(), '--no-save', ...extra], {}, timeoutMs);

/**
 * A Redis of the test's own speaking TLS only, with a password (rediss://, checked against the test cluster's CA):
 * the secret-leak test runs its storm on it. Its settings are a file (mode 600): the password is on no command line.
 */
const TLS_REDIS_PORT = 6393;
const redisPassword = randomBytes(12).toString('hex');
const tlsRedisUrl = `rediss://:${redisPassword}@127.0.0.1:${TLS_REDIS_PORT}`;
let tlsRedis: ChildProcess | undefined;

const portAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

before(async () => {
  const security = path.dirname(kafkaConfig());
  const conf = path.join(security, 'redis-tls.conf');
  const lines = [`port 0`, `tls-port ${TLS_REDIS_PORT}`, `bind 127.0.0.1`, `tls-auth-clients no`, `save ""`];
  lines.push(`tls-cert-file ${security}/broker.pem`, `tls-key-file ${security}/broker.key`);
  lines.push(`tls-ca-cert-file ${security}/ca.pem`, `requirepass ${redisPassword}`);
  fs.writeFileSync(conf, `${lines.join('\n')}\n`, { mode: 0o600 });
  tlsRedis = spawn('redis-server', [conf], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await portAnswers(TLS_REDIS_PORT)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
});

after(async () => {
  tlsRedis?.kill();
  await run('bash', ['kafka-cluster/cluster.sh', 'down', '--purge'], mtlsEnv);
});

test('a TLS Redis with a password (rediss:// and --redis-ca): the storm lands its exact count', async () => {
  const ca = path.join(path.dirname(kafkaConfig()), 'ca.pem');
  const r = await run(process.execPath, [
    CLI,
    'storm',
    '--redis',
    tlsRedisUrl,
    '--redis-ca',
    ca,
    '--no-save',
    '--json',
    '--kafka-config',
    kafkaConfig(),
    '--topic',
    uniqueTopic('rediss'),
    '--count',
    '20000',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as StormReport;
  assert.equal(report.acknowledged, 20_000);
  assert.equal(report.global?.acknowledged, 20_000, "the run's counters are in the TLS Redis");
  const untrusted = await run(process.execPath, [
    CLI,
    'storm',
    '--redis',
    tlsRedisUrl,
    '--kafka-config',
    kafkaConfig(),
  ]);
  assert.equal(untrusted.code, 4, 'without the CA the Redis certificate is not trusted');
  assert.doesNotMatch(untrusted.stderr, new RegExp(redisPassword));
  assert.match(untrusted.stderr, /^datastorm: error: cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:6393/);
});

test('SASL_SSL with SCRAM: the storm lands its exact count, the topic holds it, verify reads 0 lost', async () => {
  const topic = uniqueTopic('sasl');
  const r = await storm(['--kafka-config', kafkaConfig(), '--topic', topic, '--count', '30000', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as StormReport;
  assert.equal(report.acknowledged, 30_000);
  assert.equal(report.bootstrap, securedBootstrap(), "the file's bootstrap.servers");
  assert.equal(report.settings.client?.['security.protocol'], 'sasl_ssl');
  assert.equal(report.settings.client?.['sasl.password'], '***');
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, 30_000);
  const v = await run(process.execPath, [CLI, 'verify', '--kafka-config', kafkaConfig(), '--topic', topic, '--json']);
  assert.equal(v.code, 0, v.stderr);
  const verified = JSON.parse(v.stdout) as VerifyReport;
  assert.equal(verified.received, 30_000);
  assert.equal(verified.lost, 0);
  assert.equal(verified.duplicated, 0);
});

test('pulse over SASL_SSL lands exact sums in InfluxDB', async () => {
  const topic = uniqueTopic('sasl-pulse');
  const made = await storm(['--kafka-config', kafkaConfig(), '--topic', topic, '--count', '20000', '--quiet']);
  assert.equal(made.code, 0, made.stderr);
  const bucket = await freshBucket('sasl');
  const args = [CLI, 'pulse', '--kafka-config', kafkaConfig(), '--topic', topic, '--group', `g-${topic}`];
  args.push('--influx-url', influxUrl(), '--influx-bucket', bucket, '--until-idle', '3', '--json', '--quiet');
  const p = await run(process.execPath, args, { DATASTORM_INFLUX_TOKEN: influxToken() });
  assert.equal(p.code, 0, p.stderr);
  assert.equal((JSON.parse(p.stdout) as PulseReport).consumed, 20_000);
  assert.deepEqual(await sentimentTotals(bucket), { positive: 10_000, negative: 6_000, neutral: 4_000 });
});

test('OAUTHBEARER (an unsecured JWT) on the same listener: the exact count, verify reads 0 lost', async () => {
  const topic = uniqueTopic('oauth');
  const r = await storm(['--kafka-config', oauthConfig(), '--topic', topic, '--count', '20000', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as StormReport;
  assert.equal(report.acknowledged, 20_000);
  assert.equal(report.settings.client?.['sasl.mechanism'], 'OAUTHBEARER');
  assert.equal(report.settings.client?.['enable.sasl.oauthbearer.unsecure.jwt'], 'true');
  const v = await run(process.execPath, [CLI, 'verify', '--kafka-config', oauthConfig(), '--topic', topic, '--json']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal((JSON.parse(v.stdout) as VerifyReport).received, 20_000);
  assert.equal((JSON.parse(v.stdout) as VerifyReport).lost, 0);
});

/** Reads a dashboard's event stream for `ms`, keeping every BrandPulse view it publishes. */
async function brandPulseViews(port: number, ms: number): Promise<BrandPulseView[]> {
  const views: BrandPulseView[] = [];
  const res = await fetch(`http://127.0.0.1:${port}/events`, { signal: AbortSignal.timeout(ms) });
  let text = '';
  try {
    for await (const chunk of res.body ?? []) text += Buffer.from(chunk).toString();
  } catch {
    // the timeout ends the stream
  }
  for (const frame of text.split('\n\n')) {
    const m = /^event: brandpulse\ndata: (.*)$/m.exec(frame);
    if (m) views.push(JSON.parse(m[1]) as BrandPulseView);
  }
  return views;
}

test('pulse over OAUTHBEARER into an https InfluxDB (--influx-ca): exact sums, its dashboard reads them', async () => {
  const topic = uniqueTopic('oauth-pulse');
  const made = await storm(['--kafka-config', oauthConfig(), '--topic', topic, '--count', '20000', '--quiet']);
  assert.equal(made.code, 0, made.stderr);
  const bucket = await freshBucket('tls', influxTlsTarget);
  const token = influxTlsTarget(bucket).token;
  const args = [CLI, 'pulse', '--kafka-config', oauthConfig(), '--topic', topic, '--group', `g-${topic}`];
  args.push('--influx-url', influxTlsUrl(), '--influx-ca', influxCa(), '--influx-bucket', bucket);
  // The token on the command line, as a user may type it: it must not show in ps, output or the page either.
  args.push('--influx-token', token, '--until-idle', '3', '--json', '--quiet');
  args.push('--dashboard', '18096', '--dashboard-linger', '8', '--pulse-group', `g-${topic}`);
  const pulse = run(process.execPath, args, {}, 120_000);
  let views: BrandPulseView[] = [];
  const seen: string[] = [];
  for (let i = 0; i < 60 && views.every((v) => total(v) < 20_000); i++) {
    // Not serving yet (or already gone): wait a little and ask again. Once it serves, its title has been rewritten
    // (the first thing the CLI does): from then on ps must not show the token.
    const got = await brandPulseViews(18096, 2500).catch(() => undefined);
    if (!got) await new Promise((r) => setTimeout(r, 500));
    else {
      views = views.concat(got);
      seen.push(execFileSync('ps', ['-eo', 'pid,args', '--no-headers']).toString());
    }
  }
  const p = await pulse;
  assert.equal(p.code, 0, p.stderr);
  assert.equal((JSON.parse(p.stdout) as PulseReport).consumed, 20_000);
  const expected = { positive: 10_000, negative: 6_000, neutral: 4_000 };
  assert.deepEqual(await sentimentTotals(bucket, influxTlsTarget), expected);
  const last = views.at(-1);
  assert.ok(last, 'the dashboard published BrandPulse views');
  assert.deepEqual(last.notes, [], 'the panel read InfluxDB over https');
  assert.equal(total(last), 20_000, "the panel's last minute holds every tweet");
  assert.ok(
    seen.some((text) => text.includes('datastorm pulse')),
    "ps saw pulse's processes",
  );
  const texts = [p.stdout, p.stderr, ...seen, JSON.stringify(views)];
  assert.deepEqual(
    texts.filter((text) => text.includes(token)).map((text) => text.slice(0, 300)),
    [],
  );
});

const total = (v: BrandPulseView) =>
  Object.values(v.byBrand).reduce((sum, b) => sum + b.positive + b.negative + b.neutral, 0);

test('the password shows nowhere: output, saved and HTML reports, dashboard, /metrics, process arguments', async () => {
  const secret = password();
  const html = path.join(path.dirname(kafkaConfig()), 'report.html');
  const runId = `secret-${Date.now().toString(36)}`;
  // In the file and on the command line both: -X repeats the file's password.
  const ca = path.join(path.dirname(kafkaConfig()), 'ca.pem');
  const args = [CLI, 'storm', '--redis', tlsRedisUrl, '--redis-ca', ca, '--kafka-config', kafkaConfig()];
  args.push('-X', `sasl.password=${secret}`);
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
    texts.filter((text) => text.includes(secret) || text.includes(redisPassword)).map((text) => text.slice(0, 300)),
    [],
  );
});

test('mTLS (--security ssl): the exact count with a client certificate, verify reads 0 lost', async () => {
  const args = ['kafka-cluster/cluster.sh', 'up', '--brokers', '1', '--security', 'ssl', '--restart'];
  const up = await run('bash', args, mtlsEnv, 240_000);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(up.stdout.trim().split('\n').pop(), '127.0.0.1:26292', 'the last line is the secured listener');
  const clientProperties = path.join(MTLS_HOME, 'security/client.properties');
  assert.equal(fs.statSync(clientProperties).mode & 0o777, 0o600, 'the client settings are for its owner only');
  assert.match(fs.readFileSync(clientProperties, 'utf8'), /^ssl\.keystore\.location=/m, 'a client certificate (mTLS)');
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
