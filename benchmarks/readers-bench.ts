/**
 * The storm's readers beside Kafka's own tools, on one broker, alternated in the same run:
 *  - read rate: each round a storm writes COUNT tweets to a topic of 6 partitions with one consumer group whose
 *    readers wait for the whole backlog (--backlog COUNT), then read it all: the group's rate over its reads, beside
 *    ConsumerPerformance reading the same topic (a group of its own) right before or after, the order rotating per
 *    round; client CPU per message read for both (DataStorm's readers' own processes; the JVM's whole tree);
 *  - end-to-end latency at a low rate: Kafka's EndToEndLatency (one message at a time, acks=1, linger 0) beside a
 *    storm at E2E_RATE/s with one reader, acks=1, --linger-ms 0, 100-byte payloads: p50 and p99 of each.
 * Medians, ranges and per-round ratios: results/readers.json, READERS.md.
 *   node dist/benchmarks/readers-bench.js   (benchmarks/run.sh readers starts the cluster and Redis)
 */
import fs from 'node:fs';
import path from 'node:path';
import { machine, versionList, versions } from '../src/environment.js';
import { ROOT } from '../src/local/services.js';
import type { StormReport } from '../src/report/storm-report.js';
import { median } from './render.js';
import { benchClusterEnv, CLI, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { consumerPerformance as consumerPerformanceRead, KAFKA_PERF_TEST_JVM, sh } from './tools/reference.js';

const env = benchClusterEnv();
const COUNT = Number(process.env.DATASTORM_READERS_BENCH_COUNT ?? 5_000_000);
const ROUNDS = Number(process.env.DATASTORM_READERS_BENCH_ROUNDS ?? 3);
const E2E_MESSAGES = Number(process.env.DATASTORM_READERS_BENCH_E2E ?? 5000);
const E2E_RATE = 500;

interface ReadRun {
  who: 'datastorm' | 'consumer-performance';
  round: number;
  msgsPerSec: number;
  cpuUsPerMsg: number | null;
  command: string;
}
interface E2eRun {
  who: 'datastorm' | 'end-to-end-latency';
  round: number;
  /** The mean, exact for both (EndToEndLatency sums nanoseconds); its percentiles are whole ms, truncated. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  command: string;
}

async function stormWithReaders(bootstrap: string, topic: string, round: number): Promise<ReadRun> {
  const extra = ['--count', String(COUNT), '--partitions', '6', '--backlog', String(COUNT)];
  const args = stormArgs(bootstrap, topic, [...extra, '--consumer-groups', '1', '--json']);
  const r = await sh(process.execPath, args, {}, 900_000);
  if (r.code !== 0) throw new Error(`storm: ${r.err}`);
  const g = (JSON.parse(r.out) as StormReport).readers?.groups[0];
  if (!g || g.consumed !== COUNT) throw new Error(`the readers read ${g?.consumed} of ${COUNT}`);
  return {
    who: 'datastorm',
    round,
    msgsPerSec: Math.round(g.consumeRate.average),
    cpuUsPerMsg: g.cpuPerMessageUs,
    command: `node ${path.relative(ROOT, CLI)} ${args.slice(1).join(' ')}`,
  };
}

async function consumerPerformance(bootstrap: string, topic: string, round: number): Promise<ReadRun> {
  const cp = await consumerPerformanceRead(bootstrap, topic, COUNT, `cp-${round}-${topic}`, env);
  const cpuUsPerMsg = cp.cpuSec === null ? null : Math.round(((cp.cpuSec * 1e6) / COUNT) * 100) / 100;
  return { who: 'consumer-performance', round, msgsPerSec: cp.msgsPerSec, cpuUsPerMsg, command: cp.command };
}

async function endToEndLatency(bootstrap: string, round: number): Promise<E2eRun> {
  const topic = `e2e-ref-${round}-${Date.now().toString(36)}`;
  await sh(
    'bash',
    [CLUSTER, 'topic', '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '1'],
    env,
  );
  const args = [CLUSTER, 'tool', 'EndToEndLatency', bootstrap, topic, String(E2E_MESSAGES), '1', '100'];
  const r = await sh('bash', args, { ...env, DATASTORM_TOOL_JVM: KAFKA_PERF_TEST_JVM });
  const p = /Percentiles: 50th = ([\d.]+), 99th = ([\d.]+)/.exec(r.out);
  const avg = /Avg latency: ([\d.]+) ms/.exec(r.out);
  if (r.code !== 0 || !p || !avg) throw new Error(`EndToEndLatency: ${r.out.slice(-300)} ${r.err.slice(-300)}`);
  const [meanMs, p50Ms, p99Ms] = [avg[1], p[1], p[2]].map(Number);
  return { who: 'end-to-end-latency', round, meanMs, p50Ms, p99Ms, command: args.join(' ') };
}

async function stormEndToEnd(bootstrap: string, round: number): Promise<E2eRun> {
  const topic = `e2e-ds-${round}-${Date.now().toString(36)}`;
  const extra = ['--count', String(E2E_MESSAGES), '--rate', String(E2E_RATE), '--partitions', '1', '--acks', '1'];
  const settings = ['--linger-ms', '0', '--payload-size', '100', '--workers', '1', '--consumer-groups', '1'];
  const args = stormArgs(bootstrap, topic, [...extra, ...settings, '--json']);
  const r = await sh(process.execPath, args, {}, 600_000);
  if (r.code !== 0) throw new Error(`storm: ${r.err}`);
  const e2e = (JSON.parse(r.out) as StormReport).readers?.groups[0].endToEndMs;
  if (!e2e) throw new Error('no end-to-end latency');
  const command = `node ${args.slice(1).join(' ')}`;
  return { who: 'datastorm', round, meanMs: e2e.mean, p50Ms: e2e.p50, p99Ms: e2e.p99, command };
}

async function main(): Promise<void> {
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '1', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop() ?? '';
  const reads: ReadRun[] = [];
  const e2e: E2eRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const topic = `readers-bench-${round}-${Date.now().toString(36)}`;
    // The storm writes the topic, so it comes first; ConsumerPerformance then reads it from the same page cache.
    reads.push(await stormWithReaders(bootstrap, topic, round));
    reads.push(await consumerPerformance(bootstrap, topic, round));
    const pair = [() => endToEndLatency(bootstrap, round), () => stormEndToEnd(bootstrap, round)];
    if (round % 2) pair.reverse();
    for (const f of pair) e2e.push(await f());
  }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  write(reads, e2e);
}

const en = (n: number) => Math.round(n).toLocaleString('en-US');
const x = (n: number) => `x${n.toFixed(2)}`;

function write(reads: ReadRun[], e2e: E2eRun[]): void {
  const ofR = (who: ReadRun['who']) => reads.filter((r) => r.who === who);
  const ofE = (who: E2eRun['who']) => e2e.filter((r) => r.who === who);
  const perRound = (f: (round: number) => number) => median(Array.from({ length: ROUNDS }, (_, k) => f(k)));
  const rate = (who: ReadRun['who'], k: number) => reads.find((r) => r.who === who && r.round === k)?.msgsPerSec ?? NaN;
  const e2eOf = (who: E2eRun['who'], k: number) => e2e.find((r) => r.who === who && r.round === k);
  const ratios = {
    readRateToConsumerPerformance: perRound((k) => rate('datastorm', k) / rate('consumer-performance', k)),
    e2eMeanToEndToEndLatency: perRound(
      (k) => (e2eOf('datastorm', k)?.meanMs ?? NaN) / (e2eOf('end-to-end-latency', k)?.meanMs ?? NaN),
    ),
    // EndToEndLatency prints whole ms, truncated: DataStorm's p50 is truncated the same way for this one.
    e2eP50WholeMsMinusEndToEndLatency: perRound(
      (k) => Math.floor(e2eOf('datastorm', k)?.p50Ms ?? NaN) - (e2eOf('end-to-end-latency', k)?.p50Ms ?? NaN),
    ),
  };
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    settings: { brokers: 1, partitions: 6, count: COUNT, rounds: ROUNDS, e2eMessages: E2E_MESSAGES, e2eRate: E2E_RATE },
    reads,
    e2e,
    ratios,
  };
  fs.mkdirSync(path.join(ROOT, 'benchmarks/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'benchmarks/results/readers.json'), `${JSON.stringify(result, null, 1)}\n`);
  const range = (v: number[]) => `${en(Math.min(...v))}-${en(Math.max(...v))}`;
  const readRow = (who: ReadRun['who'], label: string) => {
    const v = ofR(who).map((r) => r.msgsPerSec);
    const cpu = median(ofR(who).map((r) => r.cpuUsPerMsg ?? NaN));
    return `| ${label} | ${en(median(v))} | ${range(v)} | ${Number.isNaN(cpu) ? '-' : cpu.toFixed(2)} |`;
  };
  const e2eRow = (who: E2eRun['who'], label: string) => {
    const r = ofE(who);
    const fmt = (v: number[]) => `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)})`;
    const cells = [r.map((e) => e.meanMs), r.map((e) => e.p50Ms), r.map((e) => e.p99Ms)].map(fmt);
    return `| ${label} | ${cells.join(' | ')} |`;
  };
  const md = [
    '# Readers benchmark',
    '',
    `Generated by \`make bench-readers\` on ${result.date}. Raw data, with every run's command: ` +
      '[results/readers.json](results/readers.json).',
    '',
    `Machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}. ` +
      `Versions: ${versionList(result.versions)}. One broker.`,
    '',
    `## Read rate: ${en(COUNT)} tweets, 6 partitions, ${ROUNDS} rounds`,
    '',
    'Each round a storm writes the topic while its one consumer group waits for the whole backlog, then reads it: ' +
      "the group's rate over its reads (its one reader process, measuring every message in C). Then Kafka's " +
      "ConsumerPerformance reads the same topic (fetch rate, its group join apart). CPU: the readers' processes; " +
      "the JVM's whole process tree.",
    '',
    '| reader | median msgs/s | range | client CPU µs/msg |',
    '|---|---|---|---|',
    readRow('datastorm', 'DataStorm readers (1 group, 1 reader)'),
    readRow('consumer-performance', "Kafka's ConsumerPerformance"),
    '',
    `Median of the rounds' ratios: **${x(ratios.readRateToConsumerPerformance)}** (goal x0.90).`,
    '',
    `## End-to-end latency at a low rate: ${en(E2E_MESSAGES)} messages of 100 bytes, 1 partition, acks=1`,
    '',
    "Kafka's EndToEndLatency sends one message and waits for it before the next; the storm writes at " +
      `${E2E_RATE}/s with --linger-ms 0 and one reader, timed from each record's CreateTime. Alternated per round.`,
    '',
    '| tool | mean ms (range) | p50 ms (range) | p99 ms (range) |',
    '|---|---|---|---|',
    e2eRow('end-to-end-latency', "Kafka's EndToEndLatency"),
    e2eRow('datastorm', `DataStorm readers at ${E2E_RATE}/s`),
    '',
    `Median of the rounds' ratios of the means: **${x(ratios.e2eMeanToEndToEndLatency)}** (goal: within x1.20). ` +
      "EndToEndLatency's percentiles are whole milliseconds, truncated (its mean sums nanoseconds): truncated the " +
      `same way, DataStorm's p50 is ${ratios.e2eP50WholeMsMinusEndToEndLatency} ms above the tool's ` +
      '(median of rounds).',
    '',
  ];
  fs.writeFileSync(path.join(ROOT, 'benchmarks/READERS.md'), md.join('\n'));
  process.stdout.write(`${md.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`readers-bench: ${(e as Error).message}\n`);
  process.exit(1);
});
