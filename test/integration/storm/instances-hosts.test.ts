/**
 * Instances of one run on three hosts, simulated honestly (test/helpers/test-hosts.ts): each storm in a network
 * namespace of its own, reaching Kafka and Redis over a virtual link; one host is far from Redis (20 ms each way,
 * through a delaying relay in its namespace: this kernel has no netem), one host's clock runs 30 s ahead
 * (shift-clock.ts), and that one comes 5 s late. The run still follows one
 * schedule by Redis' clock and lands one exact count, and the merged report puts every host's seconds where they
 * belong. Kafka and Redis are the test's own, listening on the test's bridge.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { MergedReport } from '../../../src/report/merged-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { ROOT, run } from '../../helpers/services.js';
import { shiftedClockEnv } from '../../helpers/shift-clock.js';
import { CLI } from '../../helpers/storm-cli.js';
import { BRIDGE_IP, makeTestHosts, type TestHosts } from '../../helpers/test-hosts.js';

const cluster = {
  DATASTORM_KAFKA_HOME: path.join(ROOT, '.run/hosts-cluster'),
  DATASTORM_KAFKA_HOST: BRIDGE_IP,
  DATASTORM_KAFKA_PORT: '23792',
  DATASTORM_CONTROLLER_PORT: '23790',
  DATASTORM_BROKER_HEAP: '512m',
};
const REDIS = `redis://${BRIDGE_IP}:6395`;
let hosts: TestHosts;
let redis: ChildProcess | undefined;
let relay: ChildProcess | undefined;
const RELAY = path.join(ROOT, 'dist/test/helpers/delay-relay.js');
let bootstrap = '';

before(async () => {
  hosts = makeTestHosts(3);
  relay = hosts.spawnIn(hosts.hosts[1], process.execPath, [RELAY, '16395', `${BRIDGE_IP}:6395`, '20']);
  await new Promise((resolve) => relay?.stdout?.once('data', resolve));
  const up = await run('bash', ['kafka-cluster/cluster.sh', 'up', '--brokers', '1', '--restart'], cluster, 240_000);
  assert.equal(up.code, 0, up.stderr);
  bootstrap = up.stdout.trim().split('\n').pop() ?? '';
  // Not protected: bound to the test's own bridge only, which only its hosts reach.
  const redisArgs = [
    '--bind',
    BRIDGE_IP,
    '--port',
    '6395',
    '--protected-mode',
    'no',
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  redis = spawn('redis-server', redisArgs, {
    stdio: 'ignore',
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
});

after(async () => {
  relay?.kill();
  redis?.kill();
  await run('bash', ['kafka-cluster/cluster.sh', 'down', '--purge'], cluster);
  hosts?.remove();
});

/** A storm instance in host i's namespace; its output when it ends. */
function instance(i: number, runId: string, topic: string, env: Record<string, string> = {}) {
  // Host 1 reaches Redis through its relay, 20 ms each way.
  const redisUrl = i === 1 ? 'redis://127.0.0.1:16395' : REDIS;
  const args = [CLI, 'storm', '--bootstrap', bootstrap, '--redis', redisUrl, '--json', '--no-save', '--quiet'];
  args.push('--run-id', runId, '--instances', '3', '--instance', String(i), '--barrier-timeout', '60');
  args.push('--topic', topic, '--count', '3000000', '--rate', '250k', '--workers', '1', '--partitions', '3');
  const child = hosts.spawnIn(hosts.hosts[i], process.execPath, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

test('3 hosts (one late, one far from Redis, one with its clock ahead): one schedule, one exact count', async (t) => {
  const runId = `hosts-${Date.now().toString(36)}`;
  const topic = `hosts-${process.pid}`;
  const shifted = shiftedClockEnv(30_000);
  const first = [instance(0, runId, topic), instance(1, runId, topic)];
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const late = instance(2, runId, topic, shifted);
  const ended = await Promise.all([...first, late]);
  // The late one first: when it fails, the others only time out at the barrier.
  for (const i of [2, 0, 1]) assert.equal(ended[i].code, 0, `instance ${i}: ${ended[i].stderr}`);
  const reports = ended.map((e) => JSON.parse(e.stdout) as StormReport);

  assert.equal(
    reports.reduce((sum, r) => sum + (r.acknowledged ?? 0), 0),
    3_000_000,
  );
  assert.equal((await topicMessageCount(bootstrap, topic)).total, 3_000_000, 'the topic holds exactly the count');
  // The late one comes 5 s after the first two were spawned; each joins once started, and a storm's start takes a
  // second or two on a busy 2-core machine (the first two start side by side), so they wait 5 s give or take that.
  const waited = reports.map((r) => r.instance?.waitedSec ?? 0);
  assert.ok(waited[0] >= 3 && waited[1] >= 3, `the first two waited for the late one: ${waited.join(', ')} s`);
  const merged = reports.find((r) => r.merged)?.merged as MergedReport;
  assert.ok(merged, 'the last instance carries the merged report');
  assert.equal(merged.acknowledged, 3_000_000);
  assert.equal(merged.finished, 3);
  // The delayed host's first slice comes a round trip later; the shifted clock changes nothing (Redis' clock rules):
  // the skew stays a tenth of the late host's 5 s (it was 257 ms once with six children and three brokers on 2 cores,
  // where a child's first slice can wait a scheduler's quantum or two).
  assert.ok(merged.startSkewMs !== null && merged.startSkewMs < 500, `start skew ${merged.startSkewMs} ms`);
  // One schedule: the run takes about count / rate, whatever each host's clock says, and its seconds sum to the count.
  assert.ok(merged.elapsedSec > 10 && merged.elapsedSec < 20, `elapsed ${merged.elapsedSec} s for 3M at 250k/s`);
  const seconds = merged.timeline.map(([second]) => second);
  assert.ok(Math.min(...seconds) >= 0 && Math.max(...seconds) <= 21, `seconds ${seconds.join(',')}`);
  assert.equal(
    merged.timeline.reduce((sum, [, acked]) => sum + acked, 0),
    3_000_000,
  );
  t.diagnostic(
    `start skew ${merged.startSkewMs} ms (offsets ${merged.perInstance.map((i) => i.startOffsetMs).join(', ')} ms), ` +
      `${merged.elapsedSec} s, p50 ${merged.latencyMs?.p50} ms, p99 ${merged.latencyMs?.p99} ms`,
  );
  const middle = merged.timeline.slice(2, -2).map(([, acked, target]) => acked / (target ?? 1));
  const sorted = [...middle].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  assert.ok(median > 0.8 && median < 1.2, `achieved ÷ target per second, median ${median} (${middle.join(', ')})`);
});
