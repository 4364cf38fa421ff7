/**
 * The reference tools, each run as a user would run it, parsed into one figure (msgs/s) and, where it prints one, a
 * timeline.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { translateJava } from '../../src/kafka/client-config.js';
import { parseJavaProperties } from '../../src/kafka/java-properties.js';
import { requestBytesFor } from '../../src/kafka/limits.js';
import { ROOT } from '../../src/local/services.js';
import { PAYLOAD_DELIMITER } from './payload-file.js';

export interface ToolResult {
  msgsPerSec: number;
  /** Acknowledged messages (what the rates and per-message figures divide by). */
  count: number;
  /** CPU seconds of the tool's whole process tree, when measured. */
  cpuSec: number | null;
  /** [seconds, msgs/s] points, where the tool reports intervals. */
  timeline: [number, number][];
  command: string;
  extra?: Record<string, unknown>;
}

/**
 * Runs a command; with /usr/bin/time present (setup.sh installs it) also measures the CPU seconds of its whole process
 * tree (user + system of the command and every child it waited for: JVM threads, cluster workers).
 */
export function sh(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 600_000,
): Promise<{ code: number; out: string; err: string; cpuSec: number | null }> {
  const timeFile = path.join(os.tmpdir(), `datastorm-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const timed = fs.existsSync(TIME);
  return new Promise((resolve) => {
    const c = timed
      ? spawn(TIME, ['-q', '-f', '%U %S', '-o', timeFile, cmd, ...args], {
          cwd: ROOT,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => {
      clearTimeout(t);
      let cpuSec: number | null = null;
      if (timed && fs.existsSync(timeFile)) {
        const [u, sy] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
        if (Number.isFinite(u) && Number.isFinite(sy)) cpuSec = u + sy;
        fs.rmSync(timeFile, { force: true });
      }
      resolve({ code: code ?? 1, out, err, cpuSec });
    });
  });
}
const TIME = '/usr/bin/time';

const CLUSTER = path.join(ROOT, 'kafka-cluster/cluster.sh');
export const RDKAFKA_PERF = path.join(ROOT, 'node_modules/node-rdkafka/deps/librdkafka/examples/rdkafka_performance');

export interface Settings {
  bootstrap: string;
  topic: string;
  count: number;
  acks: 'all' | '1';
  recordSize: number;
  batchBytes: number;
  lingerMs: number;
  /** Over a secured listener: every tool gets the same client settings, each the way it takes them. */
  secured?: SecuredClient;
}

/** One secured listener's client settings, as each kind of tool reads them. */
export interface SecuredClient {
  /** The Java client properties file cluster.sh wrote (DataStorm's --kafka-config, ProducerPerformance's). */
  properties: string;
  /** The same settings in librdkafka's names, key=value a line (mode 600): the C reference's -F. */
  librdkafkaFile: string;
}

/**
 * The C reference's settings file for a client properties file: translated by DataStorm's own reader, so both
 * clients run with the same librdkafka settings. The file holds the password: mode 600, deleted by the caller.
 */
export function securedClient(properties: string, librdkafkaFile: string): SecuredClient {
  const problems: string[] = [];
  const { settings } = translateJava(parseJavaProperties(fs.readFileSync(properties, 'utf8')), (p) => problems.push(p));
  if (problems.length) throw new Error(`${properties}: ${problems.join('; ')}`);
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}\n`);
  fs.writeFileSync(librdkafkaFile, lines.join(''), { mode: 0o600 });
  return { properties, librdkafkaFile };
}

/**
 * The JVM kafka-producer-perf-test.sh gives ProducerPerformance: its heap (KAFKA_HEAP_OPTS) and kafka-run-class.sh's
 * performance options (G1, the full JIT).
 */
export const KAFKA_PERF_TEST_JVM =
  '-Xmx512M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35';

/** Apache Kafka's ProducerPerformance (kafka-producer-perf-test), from the same Maven cache as the brokers. */
export async function producerPerformance(s: Settings, payloadFile?: string): Promise<ToolResult> {
  const payload = payloadFile
    ? ['--payload-file', payloadFile, '--payload-delimiter', PAYLOAD_DELIMITER]
    : ['--record-size', String(s.recordSize)];
  const args = [
    CLUSTER,
    'tool',
    'ProducerPerformance',
    '--topic',
    s.topic,
    '--num-records',
    String(s.count),
    ...payload,
    '--throughput',
    '-1',
    '--reporting-interval',
    '1000',
    ...(s.secured ? ['--command-config', s.secured.properties] : []),
    '--producer-props',
    `bootstrap.servers=${s.bootstrap}`,
    `acks=${s.acks}`,
    'compression.type=lz4',
    `batch.size=${s.batchBytes}`,
    `linger.ms=${s.lingerMs}`,
    'buffer.memory=268435456',
    `max.request.size=${requestBytesFor(s.batchBytes)}`,
  ];
  const r = await sh('bash', args, { DATASTORM_TOOL_JVM: KAFKA_PERF_TEST_JVM });
  const lines = r.out.split('\n').filter((l) => l.includes('records/sec'));
  const last = lines.at(-1) ?? '';
  const m = /([\d.]+) records\/sec/.exec(last);
  if (r.code !== 0 || !m || !last.startsWith(`${s.count} records sent`))
    throw new Error(`ProducerPerformance failed: ${(r.err || r.out).slice(-300)}`);
  const timeline = lines
    .slice(0, -1)
    .map((l, i) => [i + 1, Math.round(Number(/([\d.]+) records\/sec/.exec(l)?.[1] ?? 0))] as [number, number]);
  const lat = /([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th/.exec(last);
  return {
    msgsPerSec: Math.round(Number(m[1])),
    count: s.count,
    cpuSec: r.cpuSec,
    timeline,
    command: `kafka-cluster/cluster.sh tool ${args.slice(2).join(' ')}`,
    extra: lat ? { latencyMs: { p50: Number(lat[1]), p95: Number(lat[2]), p99: Number(lat[3]) } } : undefined,
  };
}

/**
 * librdkafka's own rdkafka_performance, built with the librdkafka node-rdkafka bundles. Its payload is one repeated
 * byte.
 */
export async function rdkafkaPerformance(s: Settings): Promise<ToolResult> {
  const args = [
    '-P',
    '-t',
    s.topic,
    '-b',
    s.bootstrap,
    '-s',
    String(s.recordSize),
    '-c',
    String(s.count),
    '-z',
    'lz4',
    '-a',
    s.acks === 'all' ? '-1' : '1',
    '-X',
    `batch.size=${s.batchBytes}`,
    '-X',
    `linger.ms=${s.lingerMs}`,
    '-X',
    'queue.buffering.max.messages=2000000',
    '-X',
    `message.max.bytes=${requestBytesFor(s.batchBytes)}`,
    '-q',
  ];
  const r = await sh(RDKAFKA_PERF, args);
  const m = /(\d+) messages produced .*?(\d+) delivered .*?in (\d+)ms: (\d+) msgs\/s/.exec(r.out + r.err);
  if (!m || Number(m[2]) !== s.count) throw new Error(`rdkafka_performance failed: ${(r.err || r.out).slice(-300)}`);
  return {
    msgsPerSec: Number(m[4]),
    count: s.count,
    cpuSec: r.cpuSec,
    timeline: [],
    command: `${path.relative(ROOT, RDKAFKA_PERF)} ${args.join(' ')}`,
  };
}

/** KafkaJS or @platformatic/kafka with DataStorm's payload (benchmarks/tools/node-client.ts). */
export async function nodeClient(client: 'kafkajs' | 'platformatic', s: Settings): Promise<ToolResult> {
  const args = [
    path.join(ROOT, 'dist/benchmarks/tools/node-client.js'),
    client,
    s.bootstrap,
    s.topic,
    String(s.count),
    s.acks,
  ];
  const r = await sh(process.execPath, args);
  if (r.code !== 0) throw new Error(`${client} failed: ${r.err.slice(-300)}`);
  const j = JSON.parse(r.out) as { msgsPerSec: number; compression: string };
  return {
    msgsPerSec: j.msgsPerSec,
    count: s.count,
    cpuSec: r.cpuSec,
    timeline: [],
    command: `node ${path.relative(ROOT, args[0])} ${args.slice(1).join(' ')}`,
    extra: { compression: j.compression },
  };
}

export const REF_PRODUCER = path.join(ROOT, 'benchmarks/tools/bin/ref-producer');

/** The C reference producer (ref-producer.c): DataStorm's tweet bytes, a delivery report per message counted in C. */
export async function refProducer(s: Settings, payloadBin: string): Promise<ToolResult> {
  const args = [
    '-b',
    s.bootstrap,
    '-t',
    s.topic,
    '-c',
    String(s.count),
    '-f',
    payloadBin,
    '-X',
    'compression.codec=lz4',
    '-X',
    `batch.size=${s.batchBytes}`,
    '-X',
    `linger.ms=${s.lingerMs}`,
    '-X',
    `acks=${s.acks === 'all' ? -1 : 1}`,
    '-X',
    `enable.idempotence=${s.acks === 'all'}`,
    '-X',
    'batch.num.messages=1000000',
    '-X',
    'queue.buffering.max.messages=2000000',
    '-X',
    'queue.buffering.max.kbytes=2097151',
    '-X',
    `message.max.bytes=${requestBytesFor(s.batchBytes)}`,
    ...(s.secured ? ['-F', s.secured.librdkafkaFile] : []),
  ];
  const r = await sh(REF_PRODUCER, args);
  if (r.code !== 0) throw new Error(`ref-producer failed: ${(r.err || r.out).slice(-300)}`);
  const j = JSON.parse(r.out) as { acknowledged: number; msgsPerSec: number; avgLatencyMs: number };
  return {
    msgsPerSec: j.msgsPerSec,
    count: j.acknowledged,
    cpuSec: r.cpuSec,
    timeline: [],
    command: `${path.relative(ROOT, REF_PRODUCER)} ${args.join(' ')}`,
    extra: { avgLatencyMs: j.avgLatencyMs },
  };
}

/**
 * Kafka's ConsumerPerformance reading `count` messages of a topic in a group of its own: its fetch rate (messages over
 * the fetch time, the group join apart) and the CPU of its JVM's whole process tree.
 */
export async function consumerPerformance(
  bootstrap: string,
  topic: string,
  count: number,
  group: string,
  env: Record<string, string>,
): Promise<{ msgsPerSec: number; cpuSec: number | null; command: string }> {
  const args = [
    ...[CLUSTER, 'tool', 'ConsumerPerformance', '--bootstrap-server', bootstrap, '--topic', topic],
    ...['--messages', String(count), '--group', group, '--timeout', '60000'],
  ];
  const cp = await sh('bash', args, { ...env, DATASTORM_TOOL_JVM: KAFKA_PERF_TEST_JVM });
  // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
  // fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const csv = (cp.out.trim().split('\n').pop() ?? '').split(',').map((x) => x.trim());
  if (cp.code !== 0 || csv.length < 10) throw new Error(`ConsumerPerformance: ${cp.err.slice(-300)}`);
  const command = `kafka-cluster/cluster.sh tool ${args.slice(2).join(' ')}`;
  return { msgsPerSec: Math.round(Number(csv[9])), cpuSec: cp.cpuSec, command };
}
