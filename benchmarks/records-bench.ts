/**
 * Any schema at the storm's speed (issue 27's goals), in two parts. The generator alone: every kafka-connect-datagen
 * quickstart's record plan writing records into one buffer on one core (as a storm child's batch does), records/s and
 * mean size, best of 3 timed passes. The storm: tweets beside the quickstart whose records are nearest the tweets'
 * size, and orders, as fast as possible on one 1-broker cluster, rotated, 3 rounds; medians, ranges, client CPU per
 * message, and the ratio to the tweet storm. Results: results/records.json and RECORDS.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { machine, versionList, versions } from '../src/environment.js';
import { QUICKSTARTS, quickstart } from '../src/generate/quickstarts.js';
import { compileRecordPlan } from '../src/generate/record-plan.js';
import { withoutComments } from '../src/generate/schema-json.js';
import { ROOT } from '../src/local/services.js';
import { Sfc32 } from '../src/random.js';
import type { StormReport } from '../src/report/storm-report.js';
import { median } from './render.js';
import { benchClusterEnv, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { sh } from './tools/reference.js';

const env = benchClusterEnv();
const COUNT = Number(process.env.DATASTORM_RECORDS_BENCH_COUNT ?? 3_000_000);
const RUNS = Number(process.env.DATASTORM_RECORDS_BENCH_RUNS ?? 3);
const BATCH = 8000;
const GENERATED = 400_000;

interface GeneratorRow {
  quickstart: string;
  recordsPerSec: number;
  meanBytes: number;
}

/** One quickstart's plan writing GENERATED records in batches of BATCH, best of 3 passes (first warms the JIT). */
function generatorRow(name: string): GeneratorRow {
  const chosen = quickstart(name);
  if (!chosen) throw new Error(name);
  const json = JSON.parse(withoutComments(fs.readFileSync(chosen.schema, 'utf8')));
  const draws = new Sfc32(7);
  const key = { field: chosen.keyField };
  const { plan, problems } = compileRecordPlan(json, draws, key);
  if (!plan) throw new Error(`${name}: ${problems.join('; ')}`);
  const out = Buffer.allocUnsafe(BATCH * plan.maxMessage);
  const sink = { bytes: Buffer.allocUnsafe(BATCH * Math.max(1, plan.maxKey)), at: 0 };
  let best = 0;
  let bytes = 0;
  for (let pass = 0; pass < 4; pass++) {
    const started = performance.now();
    let total = 0;
    for (let done = 0; done < GENERATED; done += BATCH) {
      let at = 0;
      sink.at = 0;
      const now = Date.now();
      for (let i = 0; i < BATCH; i++) at = plan.write(out, at, done + i, now, draws, 0, sink);
      total += at;
    }
    const rate = GENERATED / ((performance.now() - started) / 1000);
    if (pass > 0 && rate > best) best = rate;
    bytes = total / GENERATED;
  }
  return { quickstart: name, recordsPerSec: best, meanBytes: bytes };
}

async function storm(bootstrap: string, topic: string, flags: string[]) {
  const r = await sh(
    process.execPath,
    stormArgs(bootstrap, topic, [...flags, '--count', String(COUNT), '--json']),
    {},
    600_000,
  );
  if (r.code !== 0) throw new Error(`storm exited ${r.code}: ${r.err.slice(-300)}`);
  const report = JSON.parse(r.out) as StormReport;
  return {
    rate: report.rate.average,
    bytesPerMsg: report.bytes / COUNT,
    cpuUsPerMsg: r.cpuSec === null ? null : (r.cpuSec * 1e6) / COUNT,
  };
}

async function main(): Promise<void> {
  const generator = Object.keys(QUICKSTARTS).map(generatorRow);
  for (const g of generator)
    process.stderr.write(`${g.quickstart}: ${Math.round(g.recordsPerSec).toLocaleString('en-US')} records/s\n`);
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '1', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop() ?? '';
  const topic = `records-bench-${Date.now().toString(36)}`;
  const tweet = await storm(bootstrap, topic, []); // warm-up; also the tweets' size on the wire
  const nearest = generator.reduce((a, b) =>
    Math.abs(b.meanBytes - tweet.bytesPerMsg) < Math.abs(a.meanBytes - tweet.bytesPerMsg) ? b : a,
  ).quickstart;
  const file = (name: string) => quickstart(name)?.schema ?? name;
  // Like with like: unkeyed (librdkafka's sticky partitioner fills one partition's batch at a time), then keyed
  // (every message hashed to its key's partition: keys cost a storm about a fifth, benchmarks/SCENARIOS.md).
  const variants = [
    { name: 'tweets', flags: [] as string[] },
    { name: `${nearest}, unkeyed`, flags: ['--schema', file(nearest)] },
    { name: 'orders, unkeyed', flags: ['--schema', file('orders')] },
    { name: 'tweets, keys uniform:100000', flags: ['--keys', 'uniform:100000'] },
    { name: `${nearest}, keyed by ${QUICKSTARTS[nearest].keyField}`, flags: ['--quickstart', nearest] },
  ];
  const rows: { run: number; variant: string; rate: number; bytesPerMsg: number; cpuUsPerMsg: number | null }[] = [];
  for (let run = 0; run < RUNS; run++)
    for (const v of variants.map((_, i) => variants[(i + run) % variants.length])) {
      rows.push({ run, variant: v.name, ...(await storm(bootstrap, topic, v.flags)) });
      process.stderr.write(`round ${run + 1}: ${v.name}: ${Math.round(rows[rows.length - 1].rate)} msgs/s\n`);
    }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  const of = (v: string) => rows.filter((r) => r.variant === v);
  const med = (v: string, f: (r: (typeof rows)[number]) => number) => median(of(v).map(f));
  const tweetsOf = (v: string) =>
    med(v.includes('keyed by') || v.includes('keys') ? variants[3].name : 'tweets', (r) => r.rate);
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    settings: { brokers: 1, partitions: 3, count: COUNT, runs: RUNS, acks: 'all', generatorBatch: BATCH },
    generator,
    rows,
    summary: variants.map((v) => ({
      variant: v.name,
      medianRate: med(v.name, (r) => r.rate),
      bytesPerMsg: med(v.name, (r) => r.bytesPerMsg),
      cpuUsPerMsg: med(v.name, (r) => r.cpuUsPerMsg ?? Number.NaN),
      vsTweets: med(v.name, (r) => r.rate) / tweetsOf(v.name),
    })),
  };
  fs.mkdirSync(path.join(ROOT, 'benchmarks/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'benchmarks/results/records.json'), `${JSON.stringify(result, null, 1)}\n`);
  fs.writeFileSync(path.join(ROOT, 'benchmarks/RECORDS.md'), `${render(result, of).join('\n')}\n`);
}

function render(
  result: {
    date: string;
    machine: ReturnType<typeof machine>;
    versions: ReturnType<typeof versions>;
    generator: GeneratorRow[];
    summary: { variant: string; medianRate: number; bytesPerMsg: number; cpuUsPerMsg: number; vsTweets: number }[];
  },
  of: (v: string) => { rate: number }[],
): string[] {
  const en = (n: number) => Math.round(n).toLocaleString('en-US');
  const range = (v: string) =>
    `${en(Math.min(...of(v).map((r) => r.rate)))}-${en(Math.max(...of(v).map((r) => r.rate)))}`;
  const slowest = Math.min(...result.generator.map((g) => g.recordsPerSec));
  return [
    "# Any schema at the storm's speed",
    '',
    `Generated by \`make bench-records\` on ${result.date}. Machine: ${result.machine.cores} cores, ` +
      `${result.machine.memoryGiB} GiB, ${result.machine.cpu}. Versions: ${versionList(result.versions)}. ` +
      'Raw data: [results/records.json](results/records.json).',
    '',
    `## The generator alone (one core, batches of ${BATCH}, key field written too; goal ≥ 1M records/s each)`,
    '',
    `Slowest quickstart: ${en(slowest)} records/s.`,
    '',
    '| quickstart | records/s | mean bytes |',
    '|---|---|---|',
    ...result.generator.map((g) => `| ${g.quickstart} | ${en(g.recordsPerSec)} | ${g.meanBytes.toFixed(0)} |`),
    '',
    `## The storm (1 broker, 3 partitions, acks=all, LZ4; ${en(COUNT)} messages a run, ${RUNS} rotated rounds; ` +
      'goal: a quickstart ≥ 0.8 × tweets at similar size)',
    '',
    '| storm | median msgs/s | range | bytes/msg | client CPU µs/msg | ÷ tweets (keyed ÷ keyed) |',
    '|---|---|---|---|---|---|',
    ...result.summary.map(
      (s) =>
        `| ${s.variant} | ${en(s.medianRate)} | ${range(s.variant)} | ${s.bytesPerMsg.toFixed(0)} | ` +
        `${s.cpuUsPerMsg.toFixed(2)} | ${s.vsTweets.toFixed(2)} |`,
    ),
    '',
    'Tweets are encoded in C (native/src/tweet-plan.c); other schemas are written by their record plan in JavaScript ' +
      'into one buffer per batch, which C hands to librdkafka in one call. This shared 2-core machine swings ±30% ' +
      'run to run: compare the ranges.',
  ];
}

await main();
