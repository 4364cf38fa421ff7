/**
 * Side-by-side producer benchmark on one local cluster: DataStorm's storm against Kafka's ProducerPerformance,
 * librdkafka's rdkafka_performance, KafkaJS and @platformatic/kafka, plus DataStorm's generator alone. Same topic
 * settings, record size (DataStorm's average encoded tweet), acks, compression, batch size and linger for all.
 * Each tool runs on a fresh topic; the order of tools rotates from run to run; ratios are taken run by run.
 *   node dist/benchmarks/bench.js quick|full   (benchmarks/run.sh starts the cluster and Redis)
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../src/local/services.js';
import { machine, versions, type StormReport } from '../src/report/summary.js';
import { measureGenerator } from './tools/generator.js';
import { nodeClient, producerPerformance, rdkafkaPerformance, sh, type Settings, type ToolResult } from './tools/reference.js';
import { renderResults } from './render.js';

const PROFILES = {
  quick: { brokers: [1], acks: ['all'] as const, runs: 1, count: 1_000_000, nodeClientCount: 200_000 },
  full: { brokers: [1, 4], acks: ['all', '1'] as const, runs: 3, count: 3_000_000, nodeClientCount: 500_000 },
};
type Profile = keyof typeof PROFILES;

const TOOLS = ['datastorm', 'datastorm-per-message-reports', 'producer-perf', 'rdkafka_performance', 'kafkajs', 'platformatic'] as const;
type Tool = (typeof TOOLS)[number];
const BASELINE: Tool = 'producer-perf';

export interface BenchRow {
  brokers: number;
  acks: string;
  run: number;
  tool: Tool;
  msgsPerSec: number | null;
  error?: string;
  timeline: [number, number][];
  command: string;
  extra?: Record<string, unknown>;
}

const CLUSTER = path.join(ROOT, 'kafka-cluster/cluster.sh');
const env = { DATASTORM_KAFKA_HOME: path.join(ROOT, '.run/bench-cluster'), DATASTORM_KAFKA_PORT: '49092', DATASTORM_CONTROLLER_PORT: '49090', DATASTORM_BROKER_HEAP: '768m' };
const REDIS = process.env.DATASTORM_BENCH_REDIS ?? 'redis://127.0.0.1:6391';

async function clusterUp(brokers: number): Promise<string> {
  const r = await sh('bash', [CLUSTER, 'up', '--brokers', String(brokers), '--restart'], env);
  if (r.code !== 0) throw new Error(`cluster: ${r.err.trim().split('\n').pop()}`);
  return r.out.trim().split('\n').pop() ?? '';
}

async function topic(op: 'create' | 'delete', name: string, brokers: number): Promise<void> {
  const args = op === 'create'
    ? ['--create', '--topic', name, '--partitions', String(3 * brokers), '--replication-factor', String(Math.min(3, brokers)), '--config', 'max.message.bytes=18874368']
    : ['--delete', '--topic', name];
  const r = await sh('bash', [CLUSTER, 'topic', ...args], env);
  if (r.code !== 0 && op === 'create') throw new Error(`topic ${name}: ${r.err.trim().split('\n').pop()}`);
}

async function storm(s: Settings, brokers: number, reports: 'errors' | 'all'): Promise<ToolResult> {
  const args = [
    path.join(ROOT, 'dist/src/cli/index.js'), 'storm', '--bootstrap', s.bootstrap, '--redis', REDIS, '--topic', s.topic, '--count', String(s.count),
    '--acks', s.acks, '--compression', 'lz4', '--batch-bytes', String(s.batchBytes), '--linger-ms', String(s.lingerMs),
    '--partitions', String(3 * brokers), '--delivery-reports', reports, '--json', '--quiet', '--no-save',
  ];
  const r = await sh(process.execPath, args);
  if (r.code !== 0) throw new Error(`storm failed: ${r.err.trim().split('\n').pop()}`);
  const rep = JSON.parse(r.out) as StormReport;
  return {
    msgsPerSec: rep.rate.average,
    timeline: rep.timeline,
    command: `node dist/src/cli/index.js ${args.slice(1).join(' ')}`,
    extra: { peak: rep.rate.peak, latencyMs: rep.latencyMs, gcPausesMs: rep.gcPausesMs, maxRssMiB: rep.children.maxRssMiB, workers: rep.children.workers, acknowledged: rep.acknowledged, bytesPerMessage: Math.round(rep.bytes / (rep.acknowledged || 1)) },
  };
}

async function runTool(tool: Tool, s: Settings, brokers: number, nodeClientCount: number): Promise<ToolResult> {
  switch (tool) {
    case 'datastorm': return storm(s, brokers, 'errors');
    case 'datastorm-per-message-reports': return storm(s, brokers, 'all');
    case 'producer-perf': return producerPerformance(s);
    case 'rdkafka_performance': return rdkafkaPerformance(s);
    case 'kafkajs': return nodeClient('kafkajs', { ...s, count: nodeClientCount });
    case 'platformatic': return nodeClient('platformatic', { ...s, count: nodeClientCount });
  }
}

async function main(profile: Profile): Promise<void> {
  const p = PROFILES[profile];
  const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
  const gen = measureGenerator(5);
  log(`generator alone: ${gen.tweetsPerSec.toLocaleString('en-US')} tweets/s on one core, ${gen.avgBytes} B per encoded tweet`);
  const recordSize = Math.round(gen.avgBytes);
  const rows: BenchRow[] = [];
  const generatorRuns = [gen];
  for (const brokers of p.brokers) {
    const bootstrap = await clusterUp(brokers);
    log(`cluster: ${brokers} broker(s) at ${bootstrap}`);
    for (const acks of p.acks) {
      for (let run = 1; run <= p.runs; run++) {
        const order = TOOLS.map((_, i) => TOOLS[(i + run - 1) % TOOLS.length]);
        for (const tool of order) {
          const name = `bench-${tool.replace(/_/g, '-')}-${brokers}b-acks${acks}-r${run}-${Date.now().toString(36)}`;
          const s: Settings = { bootstrap, topic: name, count: p.count, acks, recordSize, batchBytes: 16 * 1024 * 1024, lingerMs: 20 };
          let row: BenchRow;
          try {
            if (!tool.startsWith('datastorm')) await topic('create', name, brokers);
            const r = await runTool(tool, s, brokers, p.nodeClientCount);
            row = { brokers, acks, run, tool, msgsPerSec: r.msgsPerSec, timeline: r.timeline, command: r.command, extra: r.extra };
          } catch (e) {
            row = { brokers, acks, run, tool, msgsPerSec: null, error: (e as Error).message, timeline: [], command: '' };
          }
          await topic('delete', name, brokers);
          rows.push(row);
          log(`${brokers}b acks=${acks} run ${run} ${tool.padEnd(30)} ${row.msgsPerSec?.toLocaleString('en-US') ?? `failed: ${row.error}`}`);
        }
        if (profile === 'full') generatorRuns.push(measureGenerator(3));
      }
    }
  }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);

  const result = {
    profile,
    date: new Date().toISOString(),
    machine: machine(),
    versions: { ...versions(), kafka: (await sh('bash', [CLUSTER, 'version'])).out.trim(), kafkajs: '2.2.4', '@platformatic/kafka': '1.35.0' },
    settings: { recordSize, batchBytes: 16 * 1024 * 1024, lingerMs: 20, compression: 'lz4', partitions: '3 per broker', replication: 'min(3, brokers)', count: p.count, nodeClientCount: p.nodeClientCount, runs: p.runs },
    generator: { tweetsPerSecPerCore: generatorRuns.map((g) => g.tweetsPerSec), avgBytes: gen.avgBytes },
    rows,
  };
  const dir = path.join(ROOT, 'benchmarks/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${profile}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
  const { summary } = renderResults(result, profile === 'full');

  // One line per tool: the comparable figure and the ratio to Kafka's ProducerPerformance (median of per-run ratios).
  for (const l of summary) process.stdout.write(l + '\n');
  log(`results: ${path.relative(ROOT, file)}${profile === 'full' ? ', benchmarks/RESULTS.md' : ''}`);
}

export type BenchResult = {
  profile: string; date: string; machine: ReturnType<typeof machine>; versions: Record<string, string>;
  settings: Record<string, unknown>; generator: { tweetsPerSecPerCore: number[]; avgBytes: number }; rows: BenchRow[];
};
export { TOOLS, BASELINE };

if (process.argv[1]?.endsWith('bench.js')) {
  const profile = (process.argv[2] ?? 'quick') as Profile;
  if (!(profile in PROFILES)) {
    process.stderr.write(`bench: error: profile must be quick or full (got '${profile}')\n`);
    process.exit(2);
  }
  main(profile).catch((e: Error) => {
    process.stderr.write(`bench: error: ${e.message}\n`);
    process.exit(1);
  });
}
