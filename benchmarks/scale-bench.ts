/**
 * What a run of several instances costs (make bench-scale): the same count on one 1-broker cluster by one storm
 * process with W workers and by W instances of one run (--instances W, one worker each), alternated, repeated. Reports
 * the median rates and their ratio (the overhead of instances), client CPU per message, the start skew, the merged
 * p50/p99 beside a merge of the instances' own histograms done here (and beside the average of their percentiles, the
 * wrong way), and Redis' load per instance, counted with MONITOR on one extra run: results/scale.json and SCALE.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import { readInstanceRecords } from '../src/coord/instance-records.js';
import { machine, versionList, versions } from '../src/environment.js';
import { ROOT } from '../src/local/services.js';
import { latencyHistogram, percentilesOf } from '../src/measure/histograms.js';
import type { MergedReport } from '../src/report/merged-report.js';
import type { StormReport } from '../src/report/storm-report.js';
import { median } from './render.js';
import { BENCH_REDIS, benchClusterEnv, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { sh } from './tools/reference.js';

const env = benchClusterEnv();
const COUNT = Number(process.env.DATASTORM_SCALE_BENCH_COUNT ?? 5_000_000);
const RUNS = Number(process.env.DATASTORM_SCALE_BENCH_RUNS ?? 3);
const INSTANCES = Number(process.env.DATASTORM_SCALE_BENCH_INSTANCES ?? 3);
const en = (n: number) => Math.round(n).toLocaleString('en-US');

interface Row {
  run: number;
  mode: 'one process' | 'instances';
  rate: number;
  cpuUsPerMsg: number | null;
  acknowledged: number;
  p50: number | null;
  p99: number | null;
  startSkewMs?: number | null;
  /** The instances' own histograms added here, and the average of their own percentiles. */
  check?: { rawP50: number; rawP99: number; averagedP50: number; averagedP99: number };
}

async function oneProcess(bootstrap: string, topic: string, run: number): Promise<Row> {
  const args = stormArgs(bootstrap, topic, ['--count', String(COUNT), '--workers', String(INSTANCES), '--json']);
  const r = await sh(process.execPath, args, {}, 600_000);
  if (r.code !== 0) throw new Error(`storm exited ${r.code}: ${r.err.slice(-300)}`);
  const report = JSON.parse(r.out) as StormReport;
  return {
    run,
    mode: 'one process',
    rate: report.rate.average,
    cpuUsPerMsg: r.cpuSec === null ? null : (r.cpuSec * 1e6) / COUNT,
    acknowledged: report.acknowledged ?? 0,
    p50: report.latencyMs?.p50 ?? null,
    p99: report.latencyMs?.p99 ?? null,
  };
}

async function instances(
  bootstrap: string,
  topic: string,
  run: number,
  runId: string,
  { instanceCount, workers } = { instanceCount: INSTANCES, workers: 1 },
): Promise<Row> {
  const args = (i: number) =>
    stormArgs(bootstrap, topic, [
      ...['--count', String(COUNT), '--workers', String(workers), '--json', '--run-id', runId],
      ...['--instances', String(instanceCount), '--instance', String(i)],
    ]);
  const ends = await Promise.all(
    [...Array(instanceCount).keys()].map((i) => sh(process.execPath, args(i), {}, 600_000)),
  );
  const failed = ends.find((e) => e.code !== 0);
  if (failed) throw new Error(`an instance exited ${failed.code}: ${failed.err.slice(-300)}`);
  const merged = ends.map((e) => (JSON.parse(e.out) as StormReport).merged).find(Boolean) as MergedReport;
  const cpu = ends.every((e) => e.cpuSec !== null) ? ends.reduce((s, e) => s + (e.cpuSec ?? 0), 0) : null;
  return {
    run,
    mode: 'instances',
    rate: merged.rate.average,
    cpuUsPerMsg: cpu === null ? null : (cpu * 1e6) / COUNT,
    acknowledged: merged.acknowledged,
    p50: merged.latencyMs?.p50 ?? null,
    p99: merged.latencyMs?.p99 ?? null,
    startSkewMs: merged.startSkewMs,
    check: await rawMerge(runId),
  };
}

/** The instances' histograms as they published them, added here; and their own percentiles averaged. */
async function rawMerge(runId: string): Promise<NonNullable<Row['check']>> {
  const redis = new Redis(BENCH_REDIS);
  try {
    const records = await readInstanceRecords(redis, runId);
    const sum = latencyHistogram();
    const own = records.map((r) => {
      const h = decodeFromCompressedBase64(r.histogram ?? '');
      sum.add(h);
      return percentilesOf(h);
    });
    const all = percentilesOf(sum);
    const avg = (of: (p: NonNullable<(typeof own)[number]>) => number) =>
      own.reduce((s, p) => s + (p ? of(p) : 0), 0) / own.length;
    return {
      rawP50: all?.p50 ?? -1,
      rawP99: all?.p99 ?? -1,
      averagedP50: avg((p) => p.p50),
      averagedP99: avg((p) => p.p99),
    };
  } finally {
    redis.disconnect();
  }
}

/**
 * One more run of instances with Redis' MONITOR attached: requests are the commands clients sent (a script or a
 * transaction counts once), commands everything Redis executed for them (a script's calls included).
 */
async function redisLoad(bootstrap: string, topic: string, instanceCount: number, workers: number) {
  const url = new URL(BENCH_REDIS);
  const monitor = spawn('redis-cli', ['-h', url.hostname, '-p', url.port || '6379', 'monitor'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const counts = { requests: 0, commands: 0 };
  // Sent inside MULTI/EXEC only (coord/counters.ts, coord/instance-records.ts, coord/instances.ts finishInstance).
  const inTransaction = new Set(['multi', 'hincrby', 'expire', 'hset', 'sadd', 'scard']);
  let rest = '';
  monitor.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!m) continue;
      counts.commands++;
      if (m[1] !== 'lua' && !inTransaction.has(m[2].toLowerCase())) counts.requests++;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = Date.now();
  const row = await instances(bootstrap, topic, -1, `scale-monitor-${Date.now().toString(36)}`, {
    instanceCount,
    workers,
  });
  const seconds = (Date.now() - started) / 1000;
  monitor.kill();
  return {
    instances: instanceCount,
    workers,
    seconds,
    rate: row.rate,
    requestsPerSecPerInstance: counts.requests / seconds / instanceCount,
    commandsPerSecPerInstance: counts.commands / seconds / instanceCount,
    requestsPerMillionMessages: (counts.requests / COUNT) * 1e6,
    commandsPerMillionMessages: (counts.commands / COUNT) * 1e6,
  };
}

/** CPU seconds a storm spends starting and stopping: a run of 1,000 tweets, as one process and as instances. */
async function startupCpu(bootstrap: string, topic: string): Promise<{ oneProcess: number; instances: number }> {
  const tiny = ['--count', '1000', '--json'];
  const one = await sh(process.execPath, stormArgs(bootstrap, topic, [...tiny, '--workers', String(INSTANCES)]));
  const runId = `scale-tiny-${Date.now().toString(36)}`;
  const each = await Promise.all(
    [...Array(INSTANCES).keys()].map((i) =>
      sh(
        process.execPath,
        stormArgs(bootstrap, topic, [
          ...[...tiny, '--workers', '1', '--run-id', runId],
          ...['--instances', String(INSTANCES), '--instance', String(i)],
        ]),
      ),
    ),
  );
  return { oneProcess: one.cpuSec ?? Number.NaN, instances: each.reduce((s, e) => s + (e.cpuSec ?? Number.NaN), 0) };
}

async function main(): Promise<void> {
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '1', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop() ?? '';
  const topic = `scale-bench-${Date.now().toString(36)}`;
  await oneProcess(bootstrap, topic, -1); // warm-up: creates the topic, fills caches
  const rows: Row[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first: the machine's drift should not favour one side.
    const order = run % 2 ? ['instances', 'one process'] : ['one process', 'instances'];
    for (const mode of order)
      rows.push(
        mode === 'instances'
          ? await instances(bootstrap, topic, run, `scale-${run}-${Date.now().toString(36)}`)
          : await oneProcess(bootstrap, topic, run),
      );
  }
  const startup = await startupCpu(bootstrap, topic);
  // Redis' load: the instances as above, and one instance alone with every core, at the machine's top rate.
  const load = [await redisLoad(bootstrap, topic, INSTANCES, 1), await redisLoad(bootstrap, topic, 1, machine().cores)];
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  write(rows, load, startup);
}

type Load = Awaited<ReturnType<typeof redisLoad>>;

function write(rows: Row[], loads: Load[], startup: { oneProcess: number; instances: number }): void {
  const side = (mode: Row['mode']) => rows.filter((r) => r.mode === mode);
  const med = (mode: Row['mode'], of: (r: Row) => number) => median(side(mode).map(of));
  const range = (mode: Row['mode']) => {
    const v = side(mode).map((r) => r.rate);
    return `${en(Math.min(...v))}-${en(Math.max(...v))}`;
  };
  const ratio = med('instances', (r) => r.rate) / med('one process', (r) => r.rate);
  const exact = rows.every((r) => r.acknowledged === COUNT);
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    settings: { brokers: 1, count: COUNT, runs: RUNS, instances: INSTANCES, acks: 'all' },
    rows,
    ratio,
    exact,
    startupCpuSec: startup,
    redis: loads,
  };
  fs.mkdirSync(path.join(ROOT, 'benchmarks/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'benchmarks/results/scale.json'), `${JSON.stringify(result, null, 1)}\n`);
  const cpu = (mode: Row['mode']) => med(mode, (r) => r.cpuUsPerMsg ?? Number.NaN).toFixed(2);
  const checks = side('instances').map(
    (r) =>
      `| ${r.run + 1} | ${en(r.acknowledged)} | ${r.startSkewMs ?? '-'} | ${r.p50} / ${r.p99} | ` +
      `${r.check?.rawP50} / ${r.check?.rawP99} | ` +
      `${r.check?.averagedP50.toFixed(1)} / ${r.check?.averagedP99.toFixed(1)} |`,
  );
  const md = [
    '# Many instances, one run: what it costs',
    '',
    `Generated by \`make bench-scale\` on ${result.date}: ${RUNS} pairs of runs of ${en(COUNT)} tweets on one broker ` +
      `(acks=all), one storm process with ${INSTANCES} workers and ${INSTANCES} instances of one run ` +
      `(\`--instances ${INSTANCES}\`, one worker each) on the same machine, alternating which goes first. Raw data: ` +
      '[results/scale.json](results/scale.json).',
    '',
    `Machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}. ` +
      `Versions: ${versionList(result.versions)}.`,
    '',
    '| run | median msgs/s | range | client CPU µs/msg | p50 / p99 ms (median) |',
    '|---|---|---|---|---|',
    `| one process, ${INSTANCES} workers | ${en(med('one process', (r) => r.rate))} | ${range('one process')} | ` +
      `${cpu('one process')} | ${med('one process', (r) => r.p50 ?? Number.NaN)} / ` +
      `${med('one process', (r) => r.p99 ?? Number.NaN)} |`,
    `| ${INSTANCES} instances, merged | ${en(med('instances', (r) => r.rate))} | ${range('instances')} | ` +
      `${cpu('instances')} | ${med('instances', (r) => r.p50 ?? Number.NaN)} / ` +
      `${med('instances', (r) => r.p99 ?? Number.NaN)} |`,
    '',
    `Instances give **${(ratio * 100).toFixed(1)}%** of one process's median throughput ` +
      `(${ratio >= 1 ? 'no overhead measured' : `${((1 - ratio) * 100).toFixed(1)}% less`}; the goal is at most 3% ` +
      `less). Every run acknowledged exactly ${en(COUNT)}: ${exact ? 'yes' : 'NO'}. The merged rate counts from the ` +
      "run's agreed start (after the barrier), one process's from its first child producing; both end at the last " +
      'acknowledgement.',
    '',
    "Merged latency against a merge done here: the merged report adds the instances' HDR histograms; the benchmark " +
      'decodes the histograms each instance published and adds them itself (raw), and also averages the ' +
      "instances' own percentiles (what a tool without mergeable histograms would print):",
    '',
    '| run | acknowledged | start skew ms | merged p50 / p99 | raw merge p50 / p99 | averaged p50 / p99 |',
    '|---|---|---|---|---|---|',
    ...checks,
    '',
    `Client CPU per message includes start-up: a run of 1,000 tweets costs ${startup.oneProcess.toFixed(2)} CPU s as ` +
      `one process with ${INSTANCES} workers and ${startup.instances.toFixed(2)} s as ${INSTANCES} instances ` +
      `(each its own Node primary, admin client and barrier): ` +
      `${(((startup.instances - startup.oneProcess) * 1e6) / COUNT).toFixed(2)} µs per message of this run's ` +
      `${en(COUNT)}.`,
    '',
    "Redis load, runs with Redis' MONITOR attached (MONITOR slows Redis: these runs are not in the throughput " +
      'table). Requests are the commands clients sent (a script or a transaction counts once: leases, run counters, ' +
      'instance records, the index hold); commands count what Redis ran, inside scripts too (what its own ops/s ' +
      'counts). From start-up to exit:',
    '',
    '| instances × workers | msgs/s in all | requests/s per instance | commands/s per instance ' +
      '| requests per 1M msgs | commands per 1M msgs |',
    '|---|---|---|---|---|---|',
    ...loads.map(
      (l) =>
        `| ${l.instances} × ${l.workers} | ${en(l.rate)} | ${l.requestsPerSecPerInstance.toFixed(0)} | ` +
        `${l.commandsPerSecPerInstance.toFixed(0)} | ${en(l.requestsPerMillionMessages)} | ` +
        `${en(l.commandsPerMillionMessages)} |`,
    ),
    '',
    'Requests follow leases (at full speed a lease spans up to 8 batches of `--batch-size`, 8,000, sized so a child ' +
      'leases about ten times a second) plus a few per second per process, never messages: an instance at 1M msgs/s ' +
      'sends about as many requests, and Redis runs about as many commands, per second as the table gives per ' +
      'million messages.',
    '',
    'Runs on this shared 2-core machine swing ±30% run to run: compare the ranges.',
  ];
  fs.writeFileSync(path.join(ROOT, 'benchmarks/SCALE.md'), `${md.join('\n')}\n`);
  process.stdout.write(`${md.slice(8, 14).join('\n')}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`scale-bench: ${e.message}\n`);
  process.exit(1);
});
