/**
 * Pulse beside Kafka's ConsumerPerformance and beside the storm, and InfluxDB's own ceiling beside the points store.
 * Each round a storm fills a topic of its own (alone on the cluster: its acknowledged rate is that round's storm
 * figure), then, in an order that rotates per round, ConsumerPerformance, pulse's counts store and pulse's points
 * store each read all of it (a group and a bucket of their own), and InfluxDB's ceiling is measured twice
 * (tools/influx-ceiling.ts: inch, and pulse's own lines prepared in advance). Medians, ranges, per-round ratios and
 * client CPU per message: results/pulse.json, PULSE.md. Exit 1 when the counts store's median falls below
 * benchmarks/pulse-baseline.json's share of ConsumerPerformance's or of the storm's.
 *   node dist/benchmarks/pulse-bench.js   (benchmarks/run.sh pulse starts the cluster, Redis and InfluxDB)
 */
import fs from 'node:fs';
import path from 'node:path';
import { machine, versionList, versions } from '../src/environment.js';
import { createBucket, dropBucket, type InfluxTarget } from '../src/influx/influx-sink.js';
import { localInfluxToken, ROOT } from '../src/local/services.js';
import type { PulseReport } from '../src/report/pulse-report.js';
import type { StormReport } from '../src/report/storm-report.js';
import { median } from './render.js';
import { benchClusterEnv, CLI, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { type Ceiling, inchCeiling, preparedLinesCeiling } from './tools/influx-ceiling.js';
import { consumerPerformance as consumerPerformanceRead, sh } from './tools/reference.js';

const env = benchClusterEnv();
const INFLUX = process.env.DATASTORM_BENCH_INFLUX ?? 'http://127.0.0.1:8296';
const COUNT = Number(process.env.DATASTORM_PULSE_BENCH_COUNT ?? 3_000_000);
const ROUNDS = Number(process.env.DATASTORM_PULSE_BENCH_ROUNDS ?? 3);
/** Points each ceiling measurement writes. */
const CEILING_POINTS = 1_000_000;
const READERS = ['consumer-performance', 'counts', 'points', 'inch', 'lines'] as const;
type Reader = (typeof READERS)[number] | 'storm';
const LABELS: Record<Reader, string> = {
  storm: 'DataStorm storm filling the topic (acknowledged, alone on the cluster)',
  'consumer-performance': "Kafka's ConsumerPerformance (fetch only)",
  counts: 'DataStorm pulse --store counts (decode + InfluxDB write + commit)',
  points: 'DataStorm pulse --store points (decode + InfluxDB write + commit)',
  inch: "InfluxDB's ceiling: inch, float points, 648 series, 4 writers, gzip",
  lines: "InfluxDB's ceiling: the points store's own lines prepared in advance, its sink, 4 writes in flight",
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
  const cp = await consumerPerformanceRead(bootstrap, topic, COUNT, `cp-${round}-${topic}`, env);
  return { reader: 'consumer-performance', round, ...cp, cpuUsPerMsg: cpuPerMsg(cp.cpuSec) };
}

function influxTarget(bucket: string): InfluxTarget {
  const token = localInfluxToken(INFLUX);
  if (!token) throw new Error(`no token for the InfluxDB at ${INFLUX} (scripts/influxdb.sh up)`);
  return { url: INFLUX, org: 'datastorm', bucket, token };
}

async function pulseRun(bootstrap: string, topic: string, store: 'counts' | 'points', round: number): Promise<Run> {
  const bucket = `bench_${store}_${round}_${Date.now().toString(36)}`;
  await createBucket(influxTarget(bucket));
  const args = [
    ...[CLI, 'pulse', '--bootstrap', bootstrap, '--topic', topic, '--group', `pulse-${store}-${round}-${topic}`],
    ...['--store', store, '--influx-url', INFLUX, '--influx-bucket', bucket, '--until-idle', '3', '--json', '--quiet'],
  ];
  const r = await sh(process.execPath, args, {}, 900_000);
  if (r.code !== 0) throw new Error(`pulse ${store}: ${r.err}`);
  // Each round's points would otherwise pile up in InfluxDB and slow the rounds after.
  await dropBucket(influxTarget(bucket));
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

/** The storm alone on the cluster, filling this round's topic: its acknowledged rate is the round's storm figure. */
async function fill(bootstrap: string, topic: string, round: number): Promise<Run> {
  const args = stormArgs(bootstrap, topic, ['--count', String(COUNT), '--partitions', '6', '--json']);
  const r = await sh(process.execPath, args);
  if (r.code !== 0) throw new Error(`storm: ${r.err}`);
  return {
    reader: 'storm',
    round,
    msgsPerSec: (JSON.parse(r.out) as StormReport).rate.average,
    cpuUsPerMsg: cpuPerMsg(r.cpuSec),
    command: `node ${path.relative(ROOT, CLI)} ${args.slice(1).join(' ')}`,
  };
}

async function ceiling(reader: 'inch' | 'lines', round: number): Promise<Run> {
  const measure = reader === 'inch' ? inchCeiling : preparedLinesCeiling;
  const c: Ceiling = await measure(influxTarget(''), CEILING_POINTS);
  return { reader, round, msgsPerSec: c.pointsPerSec, cpuUsPerMsg: null, command: c.command };
}

async function main(): Promise<void> {
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '1', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop() ?? '';
  const runs: Run[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const topic = `pulse-bench-${round}-${Date.now().toString(36)}`;
    runs.push(await fill(bootstrap, topic, round));
    // Rotate who goes first: the machine's drift should not favour one reader.
    for (let k = 0; k < READERS.length; k++) {
      const reader = READERS[(k + round) % READERS.length];
      if (reader === 'consumer-performance') runs.push(await consumerPerformance(bootstrap, topic, round));
      else if (reader === 'counts' || reader === 'points') runs.push(await pulseRun(bootstrap, topic, reader, round));
      else runs.push(await ceiling(reader, round));
    }
  }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  process.exit(write(runs) ? 0 : 1);
}

interface Baseline {
  minCountsRatioToConsumerPerformance: number;
  minCountsRatioToStorm: number;
}

/** Median over the rounds of a per-round ratio of two readers' rates (both ran in the same round). */
function roundRatio(runs: Run[], reader: Reader, to: Reader): number {
  const rate = (r: Reader, round: number) => runs.find((x) => x.reader === r && x.round === round)?.msgsPerSec ?? NaN;
  return median(Array.from({ length: ROUNDS }, (_, round) => rate(reader, round) / rate(to, round)));
}

/** Writes the results and the page; false when the counts store fell below a baseline. */
function write(runs: Run[]): boolean {
  const of = (reader: Reader) => runs.filter((r) => r.reader === reader);
  const med = (reader: Reader) => median(of(reader).map((r) => r.msgsPerSec));
  const cpu = (reader: Reader) => median(of(reader).map((r) => r.cpuUsPerMsg ?? Number.NaN));
  const range = (reader: Reader) => {
    const v = of(reader).map((r) => r.msgsPerSec);
    return `${en(Math.min(...v))}-${en(Math.max(...v))}`;
  };
  const baseline = JSON.parse(fs.readFileSync(path.join(ROOT, 'benchmarks/pulse-baseline.json'), 'utf8')) as Baseline;
  const ratios = {
    countsToConsumerPerformance: roundRatio(runs, 'counts', 'consumer-performance'),
    countsToStorm: roundRatio(runs, 'counts', 'storm'),
    pointsToPreparedLines: roundRatio(runs, 'points', 'lines'),
    pointsToInch: roundRatio(runs, 'points', 'inch'),
  };
  const passed =
    ratios.countsToConsumerPerformance >= baseline.minCountsRatioToConsumerPerformance &&
    ratios.countsToStorm >= baseline.minCountsRatioToStorm;
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    settings: {
      brokers: 1,
      partitions: 6,
      count: COUNT,
      rounds: ROUNDS,
      ceilingPoints: CEILING_POINTS,
      influxdb: 'InfluxDB 2.7.12, from source',
    },
    runs,
    medians: Object.fromEntries(
      (['storm', ...READERS] as Reader[]).map((r) => [r, { msgsPerSec: med(r), cpuUsPerMsg: cpu(r) }]),
    ),
    ratios,
    baseline,
    passed,
  };
  fs.mkdirSync(path.join(ROOT, 'benchmarks/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'benchmarks/results/pulse.json'), `${JSON.stringify(result, null, 1)}\n`);
  const cpuCell = (reader: Reader) => (Number.isNaN(cpu(reader)) ? '-' : cpu(reader).toFixed(2));
  const row = (reader: Reader) => `| ${LABELS[reader]} | ${en(med(reader))} | ${range(reader)} | ${cpuCell(reader)} |`;
  const x = (n: number) => `x${n.toFixed(2)}`;
  const md = [
    '# Pulse benchmark',
    '',
    `Generated by \`make bench-pulse\` on ${result.date}. Raw data, with every run's command: ` +
      '[results/pulse.json](results/pulse.json).',
    '',
    `Machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}. ` +
      `Versions: ${versionList(result.versions)}, InfluxDB 2.7.12 (built from source).`,
    `One broker. Each of ${ROUNDS} rounds: a storm fills a topic of ${en(COUNT)} tweets in 6 partitions alone on the ` +
      "cluster (its acknowledged rate is the round's storm figure), then in an order that rotates per round each " +
      "reader reads all of it (a group and a bucket of its own) and InfluxDB's ceiling is measured twice with " +
      `${en(CEILING_POINTS)} points (benchmarks/tools/influx-ceiling.ts). Pulse runs one child per core and includes ` +
      "Avro decoding, InfluxDB writes (acknowledged) and offset commits; ConsumerPerformance only fetches. Pulse's " +
      'rate is the one its report calls "while consuming": from its first batch of tweets to its last (the last ' +
      'flush, at shutdown, comes after); its overall rate (start-up, group join and the idle wait included) is in ' +
      "the raw data. CPU per message is the whole process tree (the JVM for ConsumerPerformance); InfluxDB's own " +
      'CPU is on the same 2 cores and in no row.',
    '',
    '| reader | median tweets (points)/s | range | client CPU µs/msg |',
    '|---|---|---|---|',
    ...(['storm', ...READERS] as Reader[]).map(row),
    '',
    "Ratios, the median over rounds of each round's ratio:",
    '',
    `- counts store to ConsumerPerformance **${x(ratios.countsToConsumerPerformance)}** (baseline ` +
      `${x(baseline.minCountsRatioToConsumerPerformance)}), to the storm **${x(ratios.countsToStorm)}** (baseline ` +
      `${x(baseline.minCountsRatioToStorm)}): ${passed ? 'at or above both' : 'BELOW a baseline'} ` +
      '(benchmarks/pulse-baseline.json);',
    `- points store to InfluxDB's ceiling for its own lines **${x(ratios.pointsToPreparedLines)}**, to inch's float ` +
      `points ${x(ratios.pointsToInch)}.`,
    '',
    'Runs on this shared 2-core machine swing ±30% run to run: compare the ranges.',
  ];
  fs.writeFileSync(path.join(ROOT, 'benchmarks/PULSE.md'), `${md.join('\n')}\n`);
  process.stdout.write(`${md.slice(-16).join('\n')}\n`);
  return passed;
}

const en = (n: number) => Math.round(n).toLocaleString('en-US');

main().catch((e: Error) => {
  process.stderr.write(`pulse-bench: error: ${e.message}\n`);
  process.exit(1);
});
