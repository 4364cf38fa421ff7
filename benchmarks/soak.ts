/**
 * Soak: a storm at a fixed rate for N minutes (default 10) on a 3-broker cluster, with each child's RSS, heap,
 * event-loop delay and GC sampled every 5 s (the storm report's `health`), then Kafka's ProducerPerformance at the
 * same rate for the same time with its JVM's RSS sampled, as the reference. Verdict: no growth trend after warm-up.
 * Keeps results/soak.json and SOAK.md (results/soak-Nmin.json and SOAK-Nmin.md for other lengths). Prints one
 * comparable line: DataStorm's RSS trend beside the reference's.
 *   node dist/benchmarks/soak.js [--minutes 10] [--rate 50000]   (benchmarks/run.sh soak starts the cluster and Redis)
 */

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { machine, versionList, versions } from '../src/environment.js';
import { ROOT } from '../src/local/services.js';
import type { StormReport } from '../src/report/storm-report.js';
import { benchClusterEnv, CLI, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { KAFKA_PERF_TEST_JVM, sh } from './tools/reference.js';

const env = benchClusterEnv('512m');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MINUTES = arg('minutes', 10);
const RATE = arg('rate', 50_000);
const WARMUP_SEC = 60;
const SAMPLE_SEC = 5;

/** Least-squares slope of y over x (per unit of x). */
function slope(pts: [number, number][]): number {
  const n = pts.length;
  if (n < 2) return 0;
  const mx = pts.reduce((a, p) => a + p[0], 0) / n;
  const my = pts.reduce((a, p) => a + p[1], 0) / n;
  const num = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den ? num / den : 0;
}
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : 0);
const r1 = (x: number) => Math.round(x * 10) / 10;

interface Trend {
  /** MiB per 10 minutes, fitted after warm-up. */
  rssTrendMiBPer10Min: number;
  rssFirstMinuteMiB: number;
  rssLastMinuteMiB: number;
}

function trend(samples: [number, number][], totalSec: number): Trend {
  const after = samples.filter(([t]) => t >= WARMUP_SEC);
  return {
    rssTrendMiBPer10Min: r1(slope(after) * 600),
    rssFirstMinuteMiB: r1(median(after.filter(([t]) => t < WARMUP_SEC + 60).map((p) => p[1]))),
    rssLastMinuteMiB: r1(median(after.filter(([t]) => t >= totalSec - 60).map((p) => p[1]))),
  };
}

async function datastorm(bootstrap: string) {
  const topic = `soak-${Date.now().toString(36)}`;
  const args = stormArgs(bootstrap, topic, ['--rate', String(RATE), '--duration', String(MINUTES * 60), '--json']);
  const r = await sh(process.execPath, args, {}, (MINUTES * 60 + 300) * 1000);
  if (r.code !== 0) throw new Error(`storm: ${r.err.slice(-400)}`);
  const rep = JSON.parse(r.out) as StormReport;
  const cols = rep.health.columns;
  const c = (name: string) => cols.indexOf(name);
  const children = [...new Set(rep.health.rows.map((row) => row[c('child')]))];
  const perChild = children.map((child) => {
    const rows = rep.health.rows.filter((row) => row[c('child')] === child);
    const after = rows.filter((row) => row[c('sec')] >= WARMUP_SEC);
    return {
      child,
      ...trend(
        rows.map((row) => [row[c('sec')], row[c('rssMiB')]] as [number, number]),
        MINUTES * 60,
      ),
      heapTrendMiBPer10Min: r1(
        slope(after.map((row) => [row[c('sec')], row[c('heapUsedMiB')]] as [number, number])) * 600,
      ),
      loopDelayP99MsMedian: r1(median(after.map((row) => row[c('loopDelayP99Ms')]))),
      loopDelayMaxMs: r1(Math.max(0, ...after.map((row) => row[c('loopDelayMaxMs')]))),
      gcMaxMs: r1(Math.max(0, ...after.map((row) => row[c('gcMaxMs')]))),
      loopDelayTrendMsPer10Min: r1(
        slope(after.map((row) => [row[c('sec')], row[c('loopDelayP99Ms')]] as [number, number])) * 600,
      ),
    };
  });
  const perSec = rep.timeline.filter(([t]) => t >= WARMUP_SEC).map((p) => p[1]);
  return {
    command: `node ${path.relative(ROOT, CLI)} ${args.slice(1).join(' ')}`,
    acknowledged: rep.acknowledged,
    failed: rep.failed,
    averageRate: rep.rate.average,
    ratePerSecMedian: median(perSec),
    ratePerSecMin: Math.min(...perSec),
    latencyMs: rep.latencyMs,
    gcPausesMs: rep.gcPausesMs,
    perChild,
    health: rep.health,
  };
}

/** ProducerPerformance at the same rate and time; its JVM's RSS sampled from /proc every SAMPLE_SEC. */
async function reference(bootstrap: string) {
  const topic = `soak-ref-${Date.now().toString(36)}`;
  const created = await sh(
    'bash',
    [
      CLUSTER,
      'topic',
      '--create',
      '--topic',
      topic,
      '--partitions',
      '9',
      '--replication-factor',
      '3',
      '--config',
      'min.insync.replicas=2',
    ],
    env,
  );
  if (created.code !== 0) throw new Error(`topic: ${created.err}`);
  const args = [
    CLUSTER,
    'tool',
    'ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(RATE * MINUTES * 60),
    '--record-size',
    '183',
    '--throughput',
    String(RATE),
    '--reporting-interval',
    String(SAMPLE_SEC * 1000),
    '--producer-props',
    `bootstrap.servers=${bootstrap}`,
    'acks=all',
    'compression.type=lz4',
    `batch.size=${16 * 1024 * 1024}`,
    'linger.ms=20',
    'buffer.memory=268435456',
    `max.request.size=${17 * 1024 * 1024}`,
  ];
  const jvm = { DATASTORM_TOOL_JVM: KAFKA_PERF_TEST_JVM };
  const child = spawn('bash', args, { env: { ...process.env, ...env, ...jvm }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const t0 = Date.now();
  const rss: [number, number][] = [];
  const timer = setInterval(() => {
    try {
      const pid = execFileSync('pgrep', ['-f', `ProducerPerformance --topic ${topic}`])
        .toString()
        .trim()
        .split('\n')
        .pop();
      const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      if (kb) rss.push([r1((Date.now() - t0) / 1000), r1(kb / 1024)]);
    } catch {
      /* not started yet, or finished */
    }
  }, SAMPLE_SEC * 1000);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !/records\/sec/.test(last)) throw new Error(`ProducerPerformance failed: ${out.slice(-300)}`);
  return {
    command: `kafka-cluster/cluster.sh tool ${args.slice(2).join(' ')}`,
    averageRate: Math.round(Number(/([\d.]+) records\/sec/.exec(last)?.[1] ?? 0)),
    ...trend(rss, MINUTES * 60),
    rss,
    summary: last,
  };
}

async function main(): Promise<void> {
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '3', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop()!;
  const started = new Date().toISOString();
  const ds = await datastorm(bootstrap);
  const ref = process.env.DATASTORM_SOAK_REFERENCE === '0' ? null : await reference(bootstrap);
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  const worst = ds.perChild.reduce((a, b) =>
    Math.abs(b.rssTrendMiBPer10Min) > Math.abs(a.rssTrendMiBPer10Min) ? b : a,
  );
  // Stable: after warm-up, no child's RSS drifts by more than 10% of its size per 10 minutes, and the loop keeps up.
  const stable = ds.perChild.every(
    (p) => Math.abs(p.rssTrendMiBPer10Min) <= 0.1 * p.rssFirstMinuteMiB && p.loopDelayTrendMsPer10Min < 20,
  );
  const result = {
    date: started,
    machine: machine(),
    versions: versions(),
    settings: {
      brokers: 3,
      replication: 3,
      minInsyncReplicas: 2,
      acks: 'all',
      rate: RATE,
      minutes: MINUTES,
      sampleEverySec: SAMPLE_SEC,
      warmupSec: WARMUP_SEC,
      compression: 'lz4',
    },
    verdict: stable ? 'stable' : 'drifting',
    datastorm: ds,
    reference: ref,
  };
  fs.mkdirSync(path.join(ROOT, 'benchmarks/results'), { recursive: true });
  // The 10-minute soak is the kept one; other lengths are kept beside it, not over it.
  const suffix = MINUTES === 10 ? '' : `-${MINUTES}min`;
  fs.writeFileSync(path.join(ROOT, `benchmarks/results/soak${suffix}.json`), `${JSON.stringify(result, null, 1)}\n`);
  fs.writeFileSync(path.join(ROOT, `benchmarks/SOAK${suffix}.md`), render(result));
  process.stdout.write(
    `soak ${MINUTES} min at ${RATE.toLocaleString('en-US')}/s: DataStorm RSS trend ${worst.rssTrendMiBPer10Min} ` +
      `MiB/10 min (child ${worst.child}, ${worst.rssFirstMinuteMiB} → ${worst.rssLastMinuteMiB} MiB)` +
      (ref
        ? `; ProducerPerformance JVM ${ref.rssTrendMiBPer10Min} MiB/10 min (${ref.rssFirstMinuteMiB} → ` +
          `${ref.rssLastMinuteMiB} MiB)`
        : '') +
      `; ${result.verdict}\n`,
  );
}

const fileOf = (minutes: unknown) => `soak${minutes === 10 ? '' : `-${String(minutes)}min`}.json`;

function render(r: {
  date: string;
  settings: Record<string, unknown>;
  verdict: string;
  datastorm: Awaited<ReturnType<typeof datastorm>>;
  reference: Awaited<ReturnType<typeof reference>> | null;
  machine: ReturnType<typeof machine>;
  versions: Record<string, string>;
}): string {
  const d = r.datastorm;
  const l = [
    `# Soak, ${String(r.settings.minutes)} minutes`,
    '',
    `Generated by \`benchmarks/run.sh soak --minutes ${String(r.settings.minutes)}\` on ${r.date}. Raw data, every ` +
      `5-s sample: ` +
      `[results/${path.basename(fileOf(r.settings.minutes))}](results/${path.basename(fileOf(r.settings.minutes))}).`,
    '',
    `Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGiB} GiB; brokers on the same cores. ` +
      `Versions: ${versionList(r.versions)}.`,
    `Settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')}.`,
    '',
    `**Verdict: ${r.verdict}** (after ${WARMUP_SEC} s of warm-up, no child's RSS drifts more than 10% of its size ` +
      `per 10 minutes and event-loop delay does not trend up).`,
    '',
    `DataStorm: ${d.acknowledged?.toLocaleString('en-US')} acknowledged, ${d.failed} failed, ` +
      `${d.averageRate.toLocaleString('en-US')}/s average, per-second median ` +
      `${d.ratePerSecMedian.toLocaleString('en-US')}/s, min ${d.ratePerSecMin.toLocaleString('en-US')}/s after ` +
      `warm-up; delivery latency p50 ${d.latencyMs?.p50} ms, p99 ${d.latencyMs?.p99} ms, max ${d.latencyMs?.max} ` +
      `ms.`,
    '',
    '| child | RSS 2nd min (MiB) | RSS last min (MiB) | RSS trend (MiB/10 min) | heap trend (MiB/10 min) | loop ' +
      'delay p99, median (ms) | loop delay max (ms) | loop delay trend (ms/10 min) | longest GC (ms) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...d.perChild.map(
      (p) =>
        `| ${p.child} | ${p.rssFirstMinuteMiB} | ${p.rssLastMinuteMiB} | ${p.rssTrendMiBPer10Min} | ` +
        `${p.heapTrendMiBPer10Min} | ${p.loopDelayP99MsMedian} | ${p.loopDelayMaxMs} | ` +
        `${p.loopDelayTrendMsPer10Min} | ${p.gcMaxMs} |`,
    ),
    '',
  ];
  if (r.reference)
    l.push(
      `Reference, same rate and time: Kafka's ProducerPerformance ` +
        `(${r.reference.averageRate.toLocaleString('en-US')}/s): JVM RSS ${r.reference.rssFirstMinuteMiB} MiB in the ` +
        `2nd minute, ${r.reference.rssLastMinuteMiB} MiB in the last, trend ${r.reference.rssTrendMiBPer10Min} ` +
        `MiB/10 min.`,
      '',
      `Reference command: \`${r.reference.command}\``,
      '',
    );
  l.push(`DataStorm command: \`${d.command}\``, '');
  // One row a minute per child, so the shape is visible without plotting.
  const cols = d.health.columns;
  const c = (name: string) => cols.indexOf(name);
  l.push(
    'RSS per minute (MiB), per child:',
    '',
    `| minute | ${d.perChild.map((p) => `child ${p.child}`).join(' | ')} |`,
    `|---|${d.perChild.map(() => '---|').join('')}`,
  );
  for (let m = 1; m <= Number(r.settings.minutes); m++) {
    const cells = d.perChild.map((p) => {
      const rows = d.health.rows.filter(
        (row) => row[c('child')] === p.child && row[c('sec')] > (m - 1) * 60 && row[c('sec')] <= m * 60,
      );
      return String(median(rows.map((row) => row[c('rssMiB')])));
    });
    l.push(`| ${m} | ${cells.join(' | ')} |`);
  }
  return `${l.join('\n')}\n`;
}

main().catch((e: Error) => {
  process.stderr.write(`soak: error: ${e.message}\n`);
  process.exit(1);
});
