/**
 * What keys cost a storm, beside the reference: DataStorm as fast as possible without keys, with zipf keys and with
 * uniform keys over 100,000 users, and Kafka's ProducerPerformance sending the same encoded tweets (it has no key
 * option), on one 1-broker cluster, the order rotated each round. Reports median rates and ranges, client CPU per
 * acknowledged message, and the ratios: results/scenarios.json and SCENARIOS.md. The per-partition skew of each keyed
 * run comes from its report.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine, versionList, versions } from '../src/environment.js';
import { ROOT } from '../src/local/services.js';
import type { StormReport } from '../src/report/storm-report.js';
import { median } from './render.js';
import { benchClusterEnv, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { writePayloadFiles } from './tools/payload-file.js';
import { producerPerformance, sh } from './tools/reference.js';

const env = benchClusterEnv();
const COUNT = Number(process.env.DATASTORM_SCENARIO_BENCH_COUNT ?? 3_000_000);
const RUNS = Number(process.env.DATASTORM_SCENARIO_BENCH_RUNS ?? 3);
const BATCH_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 20;

const VARIANTS = [
  { name: 'DataStorm, no keys', keys: 'none' },
  { name: 'DataStorm, zipf:100000:1.2', keys: 'zipf:100000:1.2' },
  { name: 'DataStorm, uniform:100000', keys: 'uniform:100000' },
  { name: 'ProducerPerformance, tweets, no keys', keys: null },
] as const;
type Variant = (typeof VARIANTS)[number]['name'];

interface Row {
  run: number;
  variant: Variant;
  rate: number;
  cpuUsPerMsg: number | null;
  skew: number | null;
}

async function storm(bootstrap: string, topic: string, keys: string) {
  const args = stormArgs(bootstrap, topic, ['--keys', keys, '--count', String(COUNT), '--json']);
  const r = await sh(process.execPath, args, {}, 600_000);
  if (r.code !== 0) throw new Error(`storm exited ${r.code}: ${r.err.slice(-300)}`);
  const report = JSON.parse(r.out) as StormReport;
  return {
    rate: report.rate.average,
    cpuUsPerMsg: r.cpuSec === null ? null : (r.cpuSec * 1e6) / COUNT,
    skew: report.partitions.skew,
  };
}

async function main(): Promise<void> {
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '1', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop() ?? '';
  const topic = `scenario-bench-${Date.now().toString(36)}`;
  const payload = writePayloadFiles(path.join(os.tmpdir(), `datastorm-scenario-bench-${process.pid}`));
  await storm(bootstrap, topic, 'none'); // warm-up: creates the topic (3 partitions), fills caches
  const rows: Row[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Rotate the order each round: the shared machine's drift should favour no one.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + run) % VARIANTS.length]);
    for (const v of order) {
      if (v.keys === null) {
        const settings = { bootstrap, topic, count: COUNT, acks: 'all' as const, recordSize: 0 };
        const r = await producerPerformance({ ...settings, batchBytes: BATCH_BYTES, lingerMs: LINGER_MS }, payload.txt);
        const cpu = r.cpuSec === null ? null : (r.cpuSec * 1e6) / COUNT;
        rows.push({ run, variant: v.name, rate: r.msgsPerSec, cpuUsPerMsg: cpu, skew: null });
      } else rows.push({ run, variant: v.name, ...(await storm(bootstrap, topic, v.keys)) });
      const last = rows[rows.length - 1];
      process.stderr.write(`round ${run + 1}: ${v.name}: ${Math.round(last.rate).toLocaleString('en-US')} msgs/s\n`);
    }
  }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  const of = (v: Variant) => rows.filter((r) => r.variant === v);
  const med = (v: Variant) => median(of(v).map((r) => r.rate));
  const cpu = (v: Variant) => median(of(v).map((r) => r.cpuUsPerMsg ?? Number.NaN));
  const en = (n: number) => Math.round(n).toLocaleString('en-US');
  const range = (v: Variant) =>
    `${en(Math.min(...of(v).map((r) => r.rate)))}-${en(Math.max(...of(v).map((r) => r.rate)))}`;
  const reference = med('ProducerPerformance, tweets, no keys');
  const base = med('DataStorm, no keys');
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    settings: {
      brokers: 1,
      partitions: 3,
      count: COUNT,
      runs: RUNS,
      acks: 'all',
      batchBytes: BATCH_BYTES,
      lingerMs: LINGER_MS,
    },
    rows,
    summary: VARIANTS.map((v) => ({
      variant: v.name,
      medianRate: med(v.name),
      cpuUsPerMsg: cpu(v.name),
      vsProducerPerformance: med(v.name) / reference,
      vsNoKeys: med(v.name) / base,
    })),
  };
  fs.mkdirSync(path.join(ROOT, 'benchmarks/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'benchmarks/results/scenarios.json'), `${JSON.stringify(result, null, 1)}\n`);
  const skew = (v: Variant) => {
    const s = of(v)
      .map((r) => r.skew)
      .filter((x): x is number => x !== null);
    return s.length ? median(s).toFixed(2) : '-';
  };
  const md = [
    '# What keys cost a storm',
    '',
    `Generated by \`make bench-scenarios\` on ${result.date}: ${RUNS} rounds of ${en(COUNT)} tweets each on one ` +
      'broker (3 partitions, acks=all, LZ4, 16 MiB batches, linger 20 ms), the order rotated each round; ' +
      "ProducerPerformance sends DataStorm's own encoded tweets (it has no option for keys). Raw data: " +
      '[results/scenarios.json](results/scenarios.json).',
    '',
    `Machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}. ` +
      `Versions: ${versionList(result.versions)}.`,
    '',
    '| producer | median msgs/s | range | client CPU µs/msg | ÷ ProducerPerformance | ÷ no keys | partition skew |',
    '|---|---|---|---|---|---|---|',
    ...result.summary.map(
      (s) =>
        `| ${s.variant} | ${en(s.medianRate)} | ${range(s.variant)} | ${s.cpuUsPerMsg.toFixed(2)} | ` +
        `${s.vsProducerPerformance.toFixed(2)} | ${s.vsNoKeys.toFixed(2)} | ${skew(s.variant)} |`,
    ),
    '',
    'Keys are drawn per message in JavaScript (an alias table: one uniform column and one biased coin) and their ' +
      'bytes given to C once; librdkafka hashes each key to its partition with murmur2, as the Java client does. ' +
      'Partition skew is the busiest partition over the mean, from the report. Runs on this shared 2-core machine ' +
      'swing ±30% run to run: compare the ranges.',
  ];
  fs.writeFileSync(path.join(ROOT, 'benchmarks/SCENARIOS.md'), `${md.join('\n')}\n`);
  process.stdout.write(`${md.slice(-8).join('\n')}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`scenario-bench: ${e.message}\n`);
  process.exit(1);
});
