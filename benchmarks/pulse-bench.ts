/**
 * Pulse beside Kafka's ConsumerPerformance, reading the same topic: a storm fills it, then each reads all of it.
 * Pulse is measured in both stores, into the real InfluxDB. Prints one line per reader; keeps results/pulse.json.
 *   node dist/benchmarks/pulse-bench.js   (benchmarks/run.sh pulse starts the cluster, Redis and InfluxDB)
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../src/local/services.js';
import { machine, versions } from '../src/report/summary.js';
import type { PulseReport } from '../src/pulse/primary.js';
import { sh } from './tools/reference.js';

const CLUSTER = path.join(ROOT, 'kafka-cluster/cluster.sh');
const CLI = path.join(ROOT, 'dist/src/cli/index.js');
const env = { DATASTORM_KAFKA_HOME: path.join(ROOT, '.run/bench-cluster'), DATASTORM_KAFKA_PORT: '49092', DATASTORM_CONTROLLER_PORT: '49090' };
const REDIS = process.env.DATASTORM_BENCH_REDIS ?? 'redis://127.0.0.1:6391';
const INFLUX = process.env.DATASTORM_BENCH_INFLUX ?? 'http://127.0.0.1:8296';
const COUNT = Number(process.env.DATASTORM_PULSE_BENCH_COUNT ?? 1_000_000);

async function main(): Promise<void> {
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '1', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop()!;
  const topic = `pulse-bench-${Date.now().toString(36)}`;
  const storm = await sh(process.execPath, [CLI, 'storm', '--bootstrap', bootstrap, '--redis', REDIS, '--topic', topic, '--count', String(COUNT), '--partitions', '6', '--delivery-reports', 'errors', '--quiet', '--no-save']);
  if (storm.code !== 0) throw new Error(`storm: ${storm.err}`);
  const rows: { reader: string; msgsPerSec: number; command: string; extra?: unknown }[] = [];

  const cpArgs = [CLUSTER, 'tool', 'ConsumerPerformance', '--bootstrap-server', bootstrap, '--topic', topic, '--messages', String(COUNT), '--group', `cp-${topic}`, '--timeout', '60000'];
  const cp = await sh('bash', cpArgs, env);
  // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const csv = cp.out.trim().split('\n').pop()?.split(',').map((x) => x.trim()) ?? [];
  if (cp.code !== 0 || csv.length < 10) throw new Error(`ConsumerPerformance: ${cp.err.slice(-300)}`);
  rows.push({ reader: "Kafka's ConsumerPerformance (fetch only)", msgsPerSec: Math.round(Number(csv[9])), command: `kafka-cluster/cluster.sh tool ${cpArgs.slice(2).join(' ')}` });

  for (const store of ['counts', 'points'] as const) {
    const db = `bench_${store}_${Date.now().toString(36)}`;
    await fetch(`${INFLUX}/query`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('datastorm:datastorm').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `q=${encodeURIComponent(`CREATE DATABASE "${db}"`)}` });
    const args = [CLI, 'pulse', '--bootstrap', bootstrap, '--topic', topic, '--group', `pulse-${store}-${topic}`, '--store', store, '--influx-url', INFLUX, '--influx-db', db, '--until-idle', '3', '--json', '--quiet'];
    const r = await sh(process.execPath, args, {}, 900_000);
    if (r.code !== 0) throw new Error(`pulse ${store}: ${r.err}`);
    const rep = JSON.parse(r.out) as PulseReport;
    rows.push({ reader: `DataStorm pulse --store ${store} (decode + InfluxDB write + commit)`, msgsPerSec: rep.consumedPerSec, command: `node ${path.relative(ROOT, CLI)} ${args.slice(2).join(' ')}`, extra: { consumed: rep.consumed, pointsWritten: rep.pointsWritten, pointsPerSec: rep.pointsPerSec, activeSec: rep.activeSec, retries: rep.retries } });
  }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  const result = { date: new Date().toISOString(), machine: machine(), versions: versions(), settings: { brokers: 1, partitions: 6, count: COUNT, influxdb: 'Debian influxdb 1.6' }, rows };
  fs.writeFileSync(path.join(ROOT, 'benchmarks/results/pulse.json'), JSON.stringify(result, null, 1) + '\n');
  const base = rows[0].msgsPerSec;
  for (const r of rows) process.stdout.write(`${r.reader.padEnd(62)} ${r.msgsPerSec.toLocaleString('en-US').padStart(10)} tweets/s${r === rows[0] ? '' : `   x${(r.msgsPerSec / base).toFixed(2)} vs ConsumerPerformance`}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`pulse-bench: error: ${e.message}\n`);
  process.exit(1);
});
