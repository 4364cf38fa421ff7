/**
 * Side-by-side producer benchmark on one local cluster: DataStorm's storm against the C reference producer (librdkafka
 * with nothing in between, DataStorm's tweet bytes), Kafka's ProducerPerformance (the same tweets, and random bytes),
 * librdkafka's rdkafka_performance, KafkaJS and @platformatic/kafka, plus DataStorm's generator alone. Same topic
 * settings, acks, compression, batch size and linger for all. Each tool runs on a fresh topic; the order of tools
 * rotates from run to run; ratios are taken run by run; client and broker CPU per message beside every figure.
 *   node dist/benchmarks/bench.js quick|full|tls   (benchmarks/run.sh starts the cluster and Redis)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine, packageVersion, versions } from '../src/environment.js';
import { ROOT } from '../src/local/services.js';
import type { StormReport } from '../src/report/storm-report.js';
import { DEFAULT_COUNT, defaults } from '../src/storm/options.js';
import type { BenchRow } from './bench-types.js';
import { type Cell, median, renderResults, renderTlsPage } from './render.js';
import { benchClusterEnv, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { measureGenerator } from './tools/generator.js';
import { writePayloadFiles } from './tools/payload-file.js';
import {
  nodeClient,
  producerPerformance,
  rdkafkaPerformance,
  refProducer,
  type SecuredClient,
  type Settings,
  securedClient,
  sh,
  type ToolResult,
} from './tools/reference.js';

const PROFILES = {
  // The regression gate: DataStorm and the C reference alternated three times on one broker (about a minute and a
  // half); the gate takes medians of per-run ratios. Each sends the storm's default count, start-up included in the
  // CPU as it is in a user's default storm (DataStorm starts three Node processes; the C program, one).
  quick: {
    brokers: [1],
    acks: ['all'] as const,
    runs: 3,
    count: DEFAULT_COUNT,
    nodeClientCount: 200_000,
    tools: ['datastorm', 'c-reference'],
  },
  full: {
    brokers: [1, 4],
    acks: ['all'] as const,
    runs: 3,
    count: 3_000_000,
    nodeClientCount: 500_000,
    tools: [
      'datastorm',
      'c-reference',
      'producer-perf-tweets',
      'producer-perf',
      'datastorm-1-worker',
      'rdkafka_performance',
      'kafkajs',
      'platformatic',
    ],
    // On one broker the same tools again over the cluster's SASL_SSL listener (SCRAM-SHA-512 over TLS), in the same
    // rotation: what TLS and SASL cost each, like for like.
    securedTools: ['datastorm', 'c-reference', 'producer-perf-tweets'],
  },
  // What TLS and SASL cost, on its own: the storm, the C reference and ProducerPerformance over the PLAINTEXT and the
  // SASL_SSL listener of one broker, rotated, 3 rounds (make bench-tls: TLS.md).
  tls: {
    brokers: [1],
    acks: ['all'] as const,
    runs: 3,
    count: 3_000_000,
    nodeClientCount: 0,
    tools: ['datastorm', 'c-reference', 'producer-perf-tweets'],
    securedTools: ['datastorm', 'c-reference', 'producer-perf-tweets'],
  },
} as const satisfies Record<string, Profile>;

interface Profile {
  brokers: readonly number[];
  acks: readonly 'all'[];
  runs: number;
  count: number;
  nodeClientCount: number;
  tools: readonly Tool[];
  securedTools?: readonly Tool[];
}
type ProfileName = keyof typeof PROFILES;
type Listener = 'plaintext' | 'sasl_ssl';

/** The secured listener's bootstrap list, from the properties file cluster.sh wrote for it. */
const securedBootstrapOf = (secured: SecuredClient): string =>
  /^bootstrap\.servers=(.*)$/m.exec(fs.readFileSync(secured.properties, 'utf8'))?.[1]?.trim() ?? '';

const TOOLS = [
  'datastorm',
  'datastorm-1-worker',
  'c-reference',
  'producer-perf-tweets',
  'producer-perf',
  'rdkafka_performance',
  'kafkajs',
  'platformatic',
] as const;
type Tool = (typeof TOOLS)[number];
/** Ratios are taken to both, run by run: the ceiling of any client here, and Kafka's own tool with the same bytes. */
const REFERENCES = ['c-reference', 'producer-perf-tweets'] as const;

const env = benchClusterEnv('768m');

/** The cluster's plaintext bootstrap, and with `secured` its SASL_SSL listener's client settings. */
async function clusterUp(brokers: number, secured: boolean): Promise<{ bootstrap: string; secured?: SecuredClient }> {
  const security = secured ? ['--security', 'sasl_ssl'] : [];
  const r = await sh('bash', [CLUSTER, 'up', '--brokers', String(brokers), ...security, '--restart'], env);
  if (r.code !== 0) throw new Error(`cluster: ${r.err.trim().split('\n').pop()}`);
  const bootstrap = (await sh('bash', [CLUSTER, 'bootstrap'], env)).out.trim();
  if (!secured) return { bootstrap };
  const properties = path.join(env.DATASTORM_KAFKA_HOME, 'security/client.properties');
  return { bootstrap, secured: securedClient(properties, path.join(env.DATASTORM_KAFKA_HOME, 'security/c-ref.conf')) };
}

async function topic(op: 'create' | 'delete', name: string, brokers: number): Promise<void> {
  const args =
    op === 'create'
      ? [
          '--create',
          '--topic',
          name,
          '--partitions',
          String(3 * brokers),
          '--replication-factor',
          String(Math.min(3, brokers)),
          '--config',
          'max.message.bytes=18874368',
        ]
      : ['--delete', '--topic', name];
  const r = await sh('bash', [CLUSTER, 'topic', ...args], env);
  if (r.code !== 0 && op === 'create') throw new Error(`topic ${name}: ${r.err.trim().split('\n').pop()}`);
}

async function storm(s: Settings, brokers: number, workers?: number): Promise<ToolResult> {
  const args = stormArgs(s.bootstrap, s.topic, [
    ...(s.secured ? ['--kafka-config', s.secured.properties] : []),
    '--count',
    String(s.count),
    '--acks',
    s.acks,
    '--compression',
    defaults.compression,
    '--batch-bytes',
    String(s.batchBytes),
    '--linger-ms',
    String(s.lingerMs),
    '--partitions',
    String(3 * brokers),
    ...(workers ? ['--workers', String(workers)] : []),
    '--json',
  ]);
  const r = await sh(process.execPath, args);
  if (r.code !== 0) throw new Error(`storm failed: ${r.err.trim().split('\n').pop()}`);
  const rep = JSON.parse(r.out) as StormReport;
  return {
    msgsPerSec: rep.rate.average,
    count: rep.acknowledged ?? 0,
    cpuSec: r.cpuSec,
    timeline: rep.timeline,
    command: `node dist/src/cli/index.js ${args.slice(1).join(' ')}`,
    extra: {
      peak: rep.rate.peak,
      latencyMs: rep.latencyMs,
      gcPausesMs: rep.gcPausesMs,
      maxRssMiB: rep.children.maxRssMiB,
      workers: rep.children.workers,
      acknowledged: rep.acknowledged,
      bytesPerMessage: Math.round(rep.bytes / (rep.acknowledged || 1)),
    },
  };
}

async function runTool(
  tool: Tool,
  s: Settings,
  brokers: number,
  nodeClientCount: number,
  payload: { bin: string; txt: string },
): Promise<ToolResult> {
  switch (tool) {
    case 'datastorm':
      return storm(s, brokers);
    case 'datastorm-1-worker':
      return storm(s, brokers, 1);
    case 'c-reference':
      return refProducer(s, payload.bin);
    case 'producer-perf-tweets':
      return producerPerformance(s, payload.txt);
    case 'producer-perf':
      return producerPerformance(s);
    case 'rdkafka_performance':
      return rdkafkaPerformance(s);
    case 'kafkajs':
      return nodeClient('kafkajs', { ...s, count: nodeClientCount });
    case 'platformatic':
      return nodeClient('platformatic', { ...s, count: nodeClientCount });
  }
}

/** CPU seconds the broker JVMs have used so far (utime + stime from /proc, by the cluster's pid files). */
function brokerCpuSec(): number {
  const pids = path.join(env.DATASTORM_KAFKA_HOME, 'pids');
  let ticks = 0;
  for (const f of fs.existsSync(pids) ? fs.readdirSync(pids) : []) {
    if (!f.startsWith('broker-')) continue;
    try {
      const stat = fs.readFileSync(`/proc/${fs.readFileSync(path.join(pids, f), 'utf8').trim()}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the whole line)
    } catch {
      // a broker that is gone counts nothing
    }
  }
  return ticks / 100; // USER_HZ
}

/** Bytes of the topic's log segments on every broker's disk, ÷ replication: what one copy of the data takes. */
function storedBytes(topicName: string, replication: number): number {
  const data = path.join(env.DATASTORM_KAFKA_HOME, 'data');
  let bytes = 0;
  for (const broker of fs.existsSync(data) ? fs.readdirSync(data) : []) {
    const dir = path.join(data, broker);
    for (const d of fs.readdirSync(dir)) {
      if (!d.startsWith(`${topicName}-`) || !/^\d+$/.test(d.slice(topicName.length + 1))) continue;
      for (const f of fs.readdirSync(path.join(dir, d)))
        if (f.endsWith('.log')) bytes += fs.statSync(path.join(dir, d, f)).size;
    }
  }
  return bytes / replication;
}

/** One tool's run on a fresh topic, measured; a failure is a row with its error, never a missing row. */
async function benchRun(
  job: { tool: Tool; listener: Listener; brokers: number; acks: 'all'; run: number },
  settings: Omit<Settings, 'topic'>,
  nodeClientCount: number,
  payload: { bin: string; txt: string },
): Promise<BenchRow> {
  const { tool, listener, brokers, acks, run } = job;
  const over = listener === 'sasl_ssl' ? 'tls-' : '';
  const name = `bench-${tool.replace(/_/g, '-')}-${over}${brokers}b-r${run}-${Date.now().toString(36)}`;
  const s: Settings = { ...settings, topic: name };
  const labels = { brokers, acks, run, tool, ...(listener === 'sasl_ssl' ? { listener } : {}) };
  try {
    if (!tool.startsWith('datastorm')) await topic('create', name, brokers);
    const b0 = brokerCpuSec();
    const r = await runTool(tool, s, brokers, nodeClientCount, payload);
    const b1 = brokerCpuSec();
    const per = (sec: number | null) =>
      sec === null || !r.count ? null : Math.round((sec * 1e6 * 100) / r.count) / 100;
    return {
      ...labels,
      msgsPerSec: r.msgsPerSec,
      clientCpuUs: per(r.cpuSec),
      brokerCpuUs: per(b1 - b0),
      storedBytes: Math.round((storedBytes(name, Math.min(3, brokers)) / r.count) * 10) / 10,
      timeline: r.timeline,
      command: r.command,
      extra: r.extra,
    };
  } catch (e) {
    return { ...labels, msgsPerSec: null, error: (e as Error).message, timeline: [], command: '' };
  } finally {
    await topic('delete', name, brokers);
  }
}

async function main(profile: ProfileName): Promise<void> {
  const p: Profile = PROFILES[profile];
  const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
  const gen = measureGenerator(5);
  log(
    `generator alone: ${gen.tweetsPerSec.toLocaleString('en-US')} tweets/s on one core, ${gen.avgBytes} B per ` +
      `encoded tweet`,
  );
  const payload = writePayloadFiles(path.join(os.tmpdir(), `datastorm-bench-payload-${process.pid}`));
  const recordSize = Math.round(gen.avgBytes);
  const rows: BenchRow[] = [];
  const generatorRuns = [gen];
  for (const brokers of p.brokers) {
    // The secured rows run on one broker, on the cluster the plaintext rows use (its second listener).
    const securedTools = brokers === 1 ? (p.securedTools ?? []) : [];
    const cluster = await clusterUp(brokers, securedTools.length > 0);
    log(`cluster: ${brokers} broker(s) at ${cluster.bootstrap}${cluster.secured ? ', and SASL_SSL' : ''}`);
    const jobs = [
      ...p.tools.map((tool) => ({ tool, listener: 'plaintext' as Listener })),
      ...securedTools.map((tool) => ({ tool, listener: 'sasl_ssl' as Listener })),
    ];
    for (const acks of p.acks) {
      for (let run = 1; run <= p.runs; run++) {
        const order = jobs.map((_, i) => jobs[(i + run - 1) % jobs.length]);
        for (const { tool, listener } of order) {
          const secured = listener === 'sasl_ssl' ? cluster.secured : undefined;
          const settings = {
            bootstrap: secured ? securedBootstrapOf(secured) : cluster.bootstrap,
            count: p.count,
            acks,
            recordSize,
            batchBytes: defaults.batchBytes,
            lingerMs: defaults.lingerMs,
            secured,
          };
          const row = await benchRun({ tool, listener, brokers, acks, run }, settings, p.nodeClientCount, payload);
          rows.push(row);
          log(
            `${brokers}b acks=${acks} run ${run} ${`${tool}${secured ? ' sasl_ssl' : ''}`.padEnd(31)} ` +
              `${row.msgsPerSec?.toLocaleString('en-US') ?? `failed: ${row.error}`}` +
              (row.msgsPerSec
                ? `  client ${row.clientCpuUs ?? '?'} us/msg, brokers ${row.brokerCpuUs ?? '?'} us/msg, ` +
                  `${row.storedBytes} B/msg stored`
                : ''),
          );
        }
        if (profile === 'full') generatorRuns.push(measureGenerator(3));
      }
    }
    if (cluster.secured) fs.rmSync(cluster.secured.librdkafkaFile, { force: true });
  }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);

  const result = {
    profile,
    date: new Date().toISOString(),
    machine: machine(),
    versions: {
      ...versions(),
      kafka: (await sh('bash', [CLUSTER, 'version'])).out.trim(),
      kafkajs: packageVersion('kafkajs'),
      '@platformatic/kafka': packageVersion('@platformatic/kafka'),
    },
    settings: {
      recordSize,
      payload:
        `${payload.avgBytes.toFixed(1)} B average tweet, 10,000 distinct (ref-producer and ` +
        `ProducerPerformance --payload-file)`,
      batchBytes: defaults.batchBytes,
      lingerMs: defaults.lingerMs,
      compression: defaults.compression,
      partitions: '3 per broker',
      replication: 'min(3, brokers)',
      count: p.count,
      nodeClientCount: p.nodeClientCount,
      runs: p.runs,
    },
    generator: { tweetsPerSecPerCore: generatorRuns.map((g) => g.tweetsPerSec), avgBytes: gen.avgBytes },
    rows,
  };
  const dir = path.join(ROOT, 'benchmarks/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${profile}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
  const { summary, cells } = renderResults(result, profile === 'full');
  if (profile === 'tls') renderTlsPage(result, cells);

  // One line per tool: the comparable figure, CPU per message and the ratios to the references (medians of per-run
  // ratios).
  for (const l of summary) process.stdout.write(`${l}\n`);
  const page = { full: ', benchmarks/RESULTS.md', tls: ', benchmarks/TLS.md', quick: '' }[profile];
  log(`results: ${path.relative(ROOT, file)}${page}`);
  if (profile === 'tls') return;
  const verdict = gate(cells);
  for (const l of verdict.lines) process.stdout.write(`${l}\n`);
  if (!verdict.pass) process.exitCode = 1;
}

/** What benchmarks/baseline.json holds: the gate's bounds, as multiples of the C reference in the same run. */
interface Baseline {
  minRatioToCReference: number;
  maxCpuRatioToCReference: number;
}

/**
 * The regression gate: DataStorm against the C reference of the same runs, on one broker. Both figures are ratios
 * (medians of per-run ratios), so the machine's speed and its swings between runs cancel: throughput at least
 * minRatioToCReference of the reference's, client CPU per message at most maxCpuRatioToCReference of its.
 */
function gate(cells: Cell[]): { pass: boolean; lines: string[] } {
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'benchmarks/baseline.json'), 'utf8')) as Baseline;
  const ds = cells.find((c) => c.brokers === 1 && c.tool === 'datastorm' && !c.listener);
  const rate = ds ? median(ds.ratios['c-reference']) : Number.NaN;
  const cpu = ds ? median(ds.cpuRatios['c-reference']) : Number.NaN;
  const x = (v: number) => (Number.isFinite(v) ? `x${v.toFixed(2)}` : 'n/a');
  const rateOk = rate >= base.minRatioToCReference;
  const cpuOk = cpu <= base.maxCpuRatioToCReference;
  const lines = [
    `${rateOk ? 'gate' : 'REGRESSION'}: DataStorm's msgs/s ${x(rate)} of the C reference's ` +
      `(${rateOk ? '>=' : 'below'} the baseline x${base.minRatioToCReference}, benchmarks/baseline.json)`,
    `${cpuOk ? 'gate' : 'REGRESSION'}: DataStorm's client CPU per message ${x(cpu)} of the C reference's ` +
      `(${cpuOk ? '<=' : 'above'} the baseline x${base.maxCpuRatioToCReference}, benchmarks/baseline.json)`,
  ];
  return { pass: rateOk && cpuOk, lines };
}

export type { Tool };
export { REFERENCES, TOOLS };

if (process.argv[1]?.endsWith('bench.js')) {
  const profile = (process.argv[2] ?? 'quick') as ProfileName;
  if (!(profile in PROFILES)) {
    process.stderr.write(`bench: error: profile must be quick, full or tls (got '${profile}')\n`);
    process.exit(2);
  }
  main(profile).catch((e: Error) => {
    process.stderr.write(`bench: error: ${e.message}\n`);
    process.exit(1);
  });
}
