/**
 * Pulse beside Kafka's ConsumerPerformance, reading the same topic: a storm fills it (its solo rate is a row too), then
 * each reader reads all of it, in rounds whose order rotates; pulse in both stores, into the real InfluxDB, each run
 * with a group and a bucket of its own. Medians, ranges and client CPU per message: results/pulse.json, PULSE.md.
 * Exit 1 when the counts store's median falls below benchmarks/pulse-baseline.json's share of ConsumerPerformance's.
 *   node dist/benchmarks/pulse-bench.js   (benchmarks/run.sh pulse starts the cluster, Redis and InfluxDB)
 */
import fs from 'node:fs';
import path from 'node:path';
import { machine, versionList, versions } from '../src/environment.js';
import { localInfluxToken, ROOT } from '../src/local/services.js';
import { createBucket } from '../src/pulse/influx-sink.js';
import type { PulseReport } from '../src/report/pulse-report.js';
import type { StormReport } from '../src/report/storm-report.js';
import { median } from './render.js';
import { benchClusterEnv, CLI, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { KAFKA_PERF_TEST_JVM, sh } from './tools/reference.js';

const env = benchClusterEnv();
const INFLUX = process.env.DATASTORM_BENCH_INFLUX ?? 'http://127.0.0.1:8296';
const COUNT = Number(process.env.DATASTORM_PULSE_BENCH_COUNT ?? 1_000_000);
const ROUNDS = Number(process.env.DATASTORM_PULSE_BENCH_ROUNDS ?? 3);
const READERS = ['consumer-performance', 'counts', 'points'] as const;
type Reader = (typeof READERS)[number];
const LABELS: Record<Reader | 'storm', string> = {
  'consumer-performance': "Kafka's ConsumerPerformance (fetch only)",
  counts: 'DataStorm pulse --store counts (decode + InfluxDB write + commit)',
  points: 'DataStorm pulse --store points (decode + InfluxDB write + commit)',
  storm: 'DataStorm storm filling the topic (acknowledged, alone on the cluster)',
};

interface Run {
  reader: Reader;
  round: number;
  msgsPerSec: number;
  cpuUsPerMsg: number | null;
  command: string;
  extra?: Record<string, unknown>;
}

const cpuPerMsg = (cpuSec: number | null) => (cpuSec === null ? null : (cpuSec * 1e6) / COUNT);

async function consumerPerformance(bootstrap: string, topic: string, round: number): Promise<Run> {
  const args = [
    ...[CLUSTER, 'tool', 'ConsumerPerformance', '--bootstrap-server', bootstrap, '--topic', topic],
    ...['--messages', String(COUNT), '--group', `cp-${round}-${topic}`, '--timeout', '60000'],
  ];
  const cp = await sh('bash', args, { ...env, DATASTORM_TOOL_JVM: KAFKA_PERF_TEST_JVM });
  // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
  // fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const csv = (cp.out.trim().split('\n').pop() ?? '').split(',').map((x) => x.trim());
  if (cp.code !== 0 || csv.length < 10) throw new Error(`ConsumerPerformance: ${cp.err.slice(-300)}`);
  return {
    reader: 'consumer-performance',
    round,
    msgsPerSec: Math.round(Number(csv[9])),
    cpuUsPerMsg: cpuPerMsg(cp.cpuSec),
    command: `kafka-cluster/cluster.sh tool ${args.slice(2).join(' ')}`,
  };
}

async function pulseRun(bootstrap: string, topic: string, store: 'counts' | 'points', round: number): Promise<Run> {
  const bucket = `bench_${store}_${round}_${Date.now().toString(36)}`;
  const token = localInfluxToken(INFLUX);
  if (!token) throw new Error(`no token for the InfluxDB at ${INFLUX} (scripts/influxdb.sh up)`);
  await createBucket({ url: INFLUX, org: 'datastorm', bucket, token });
  const args = [
    ...[CLI, 'pulse', '--bootstrap', bootstrap, '--topic', topic, '--group', `pulse-${store}-${round}-${topic}`],
    ...['--store', store, '--influx-url', INFLUX, '--influx-bucket', bucket, '--until-idle', '3', '--json', '--quiet'],
  ];
  const r = await sh(process.execPath, args, {}, 900_000);
  if (r.code !== 0) throw new Error(`pulse ${store}: ${r.err}`);
  const rep = JSON.parse(r.out) as PulseReport;
  return {
    reader: store,
    round,
    msgsPerSec: rep.rate.active,
    cpuUsPerMsg: cpuPerMsg(r.cpuSec),
    command: `node ${path.relative(ROOT, CLI)} ${args.slice(2).join(' ')}`,
    extra: { consumed: rep.consumed, pointsWritten: rep.pointsWritten, overallPerSec: rep.rate.overall },
  };
}

async function main(): Promise<void> {
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '1', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop() ?? '';
  const topic = `pulse-bench-${Date.now().toString(36)}`;
  const fill = await sh(
    process.execPath,
    stormArgs(bootstrap, topic, ['--count', String(COUNT), '--partitions', '6', '--json']),
  );
  if (fill.code !== 0) throw new Error(`storm: ${fill.err}`);
  const storm = { msgsPerSec: (JSON.parse(fill.out) as StormReport).rate.average, cpuUsPerMsg: cpuPerMsg(fill.cpuSec) };
  const runs: Run[] = [];
  for (let round = 0; round < ROUNDS; round++)
    // Rotate who goes first: the machine's drift should not favour one reader.
    for (let k = 0; k < READERS.length; k++) {
      const reader = READERS[(k + round) % READERS.length];
      runs.push(
        reader === 'consumer-performance'
          ? await consumerPerformance(bootstrap, topic, round)
          : await pulseRun(bootstrap, topic, reader, round),
      );
    }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  process.exit(write(runs, storm) ? 0 : 1);
}

/** Writes the results and the page; false when the counts store fell below the baseline. */
function write(runs: Run[], storm: { msgsPerSec: number; cpuUsPerMsg: number | null }): boolean {
  const of = (reader: Reader) => runs.filter((r) => r.reader === reader);
  const med = (reader: Reader) => median(of(reader).map((r) => r.msgsPerSec));
  const cpu = (reader: Reader) => median(of(reader).map((r) => r.cpuUsPerMsg ?? Number.NaN));
  const range = (reader: Reader) => {
    const v = of(reader).map((r) => r.msgsPerSec);
    return `${en(Math.min(...v))}-${en(Math.max(...v))}`;
  };
  const cp = med('consumer-performance');
  const baseline = JSON.parse(fs.readFileSync(path.join(ROOT, 'benchmarks/pulse-baseline.json'), 'utf8')) as {
    minCountsRatioToConsumerPerformance: number;
  };
  const countsRatio = med('counts') / cp;
  const passed = countsRatio >= baseline.minCountsRatioToConsumerPerformance;
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    settings: { brokers: 1, partitions: 6, count: COUNT, rounds: ROUNDS, influxdb: 'InfluxDB 2.7.12, from source' },
    storm,
    runs,
    medians: Object.fromEntries(READERS.map((r) => [r, { msgsPerSec: med(r), cpuUsPerMsg: cpu(r) }])),
    countsRatioToConsumerPerformance: countsRatio,
    countsRatioToStorm: med('counts') / storm.msgsPerSec,
    baseline,
    passed,
  };
  fs.mkdirSync(path.join(ROOT, 'benchmarks/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'benchmarks/results/pulse.json'), `${JSON.stringify(result, null, 1)}\n`);
  const row = (reader: Reader) =>
    `| ${LABELS[reader]} | ${en(med(reader))} | ${range(reader)} | ${(med(reader) / cp).toFixed(2)} | ` +
    `${(med(reader) / storm.msgsPerSec).toFixed(2)} | ${cpu(reader).toFixed(2)} |`;
  const md = [
    '# Pulse benchmark',
    '',
    `Generated by \`make bench-pulse\` on ${result.date}. Raw data, with every run's command: ` +
      '[results/pulse.json](results/pulse.json).',
    '',
    `Machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}. ` +
      `Versions: ${versionList(result.versions)}, InfluxDB 2.7.12 (built from source).`,
    `One broker, one topic of ${en(COUNT)} storm tweets in 6 partitions, read whole by each reader (a group of its ` +
      `own each time), ${ROUNDS} rounds, the order rotating. Pulse runs one child per core and includes Avro ` +
      "decoding, InfluxDB writes (acknowledged) and offset commits; ConsumerPerformance only fetches. Pulse's rate " +
      'is the one its report calls "while consuming": from its first batch of tweets to its last (the last flush, ' +
      'at shutdown, comes after); its overall rate (start-up, group join and the idle wait included) is in the raw ' +
      'data. CPU per message is the whole process tree (the JVM for ConsumerPerformance).',
    '',
    '| reader | median tweets/s | range | to ConsumerPerformance | to the storm | client CPU µs/msg |',
    '|---|---|---|---|---|---|',
    `| ${LABELS.storm} | ${en(storm.msgsPerSec)} | one run | ${(storm.msgsPerSec / cp).toFixed(2)} | 1.00 | ` +
      `${storm.cpuUsPerMsg?.toFixed(2) ?? '-'} |`,
    ...READERS.map(row),
    '',
    `The counts store reads at **x${countsRatio.toFixed(2)}** of ConsumerPerformance's median ` +
      `(${passed ? 'at or above' : 'BELOW'} the baseline x${baseline.minCountsRatioToConsumerPerformance}, ` +
      `benchmarks/pulse-baseline.json) and x${result.countsRatioToStorm.toFixed(2)} of the storm's acknowledged ` +
      'rate. Runs on this shared 2-core machine swing ±30% run to run: compare the ranges.',
  ];
  fs.writeFileSync(path.join(ROOT, 'benchmarks/PULSE.md'), `${md.join('\n')}\n`);
  process.stdout.write(`${md.slice(-8).join('\n')}\n`);
  return passed;
}

const en = (n: number) => Math.round(n).toLocaleString('en-US');

main().catch((e: Error) => {
  process.stderr.write(`pulse-bench: error: ${e.message}\n`);
  process.exit(1);
});
