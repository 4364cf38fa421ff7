/**
 * The live pipeline: how fast a storm can go with pulse keeping up behind it on the same 1-broker cluster and the same
 * 2 cores, and how fresh BrandPulse's seconds are meanwhile.
 *  1. The storm's solo maximum: a storm of SOLO_COUNT tweets alone on the cluster, all children (its acknowledged
 *     rate; the median of SOLO_RUNS).
 *  2. Rate steps, find-max style, from FIRST_SHARE of that maximum up by STEP_SHARE: per step a topic of its own,
 *     pulse (counts store, a group and a bucket of its own) started first and joined, then a storm at the step's rate
 *     for STEP_SEC seconds. Every POLL_MS the group's lag is read as Kafka's kafka-consumer-groups.sh shows it (the
 *     partitions' ends now minus the group's committed offsets: pulse commits only what InfluxDB acknowledged, so
 *     this lag includes the flush interval and, for the counts store, the open windows), beside the consumers' own
 *     fetch lag from pulse's /metrics (ends as last fetched minus positions: what was fetched and not yet read), and
 *     InfluxDB is asked for the last five minutes' per-second sums. A step holds when the storm acknowledged at
 *     least ACHIEVED_SHARE of the rate over the step (on shared cores it may not) and the group's lag, once the storm
 *     has run WARM_SEC, stays under LAG_LIMIT_SEC seconds of the rate; the first step that does not ends the climb.
 *  3. Freshness from InfluxDB: once pulse has caught up, each second's final sum is known; the tweets of second S
 *     that the poll at time t saw first are counted fresh at t − (S + 0.5 s) (their created_at is somewhere in S:
 *     ±0.5 s, and ±POLL_MS/2 for when between polls they became visible). p50/p99 weighted by tweets, beside the
 *     freshness pulse itself reports (created_at to InfluxDB's acknowledgement, pulse/freshness.ts).
 * Results: results/pipeline.json, PIPELINE.md.
 *   node dist/benchmarks/pipeline-bench.js   (benchmarks/run.sh pipeline starts the cluster, Redis and InfluxDB)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { machine, versionList, versions } from '../src/environment.js';
import { createBucket, dropBucket, fluxRows, type InfluxTarget } from '../src/influx/influx-sink.js';
import { ensureTopic } from '../src/kafka/admin.js';
import { GroupLag } from '../src/kafka/group-lag.js';
import { localInfluxToken, ROOT } from '../src/local/services.js';
import { MEASUREMENT } from '../src/pulse/points.js';
import type { PulseReport } from '../src/report/pulse-report.js';
import type { StormReport } from '../src/report/storm-report.js';
import { median } from './render.js';
import { benchClusterEnv, CLI, CLUSTER, stormArgs } from './tools/bench-cluster.js';
import { sh } from './tools/reference.js';

const env = benchClusterEnv();
const INFLUX = process.env.DATASTORM_BENCH_INFLUX ?? 'http://127.0.0.1:8296';
const SOLO_COUNT = 3_000_000;
const SOLO_RUNS = 3;
const FIRST_SHARE = 0.2;
const STEP_SHARE = 0.1;
const MAX_STEPS = 8;
const STEP_SEC = Number(process.env.DATASTORM_PIPELINE_STEP_SEC ?? 20);
const WARM_SEC = 5;
const LAG_LIMIT_SEC = 2;
const ACHIEVED_SHARE = 0.95;
const POLL_MS = 500;
const PARTITIONS = 6;
/** Children each: the storm and pulse share 2 cores with the broker and InfluxDB. */
const STORM_WORKERS = process.env.DATASTORM_PIPELINE_STORM_WORKERS ?? '1';
const PULSE_WORKERS = process.env.DATASTORM_PIPELINE_PULSE_WORKERS ?? '2';
const METRICS_PORT = 19_990;

interface Step {
  rate: number;
  share: number;
  acknowledged: number;
  /** acknowledged / STEP_SEC */
  achievedRate: number;
  /** [seconds since the storm started, the group's committed lag, the consumers' fetch lag] in messages */
  lag: [number, number, number][];
  maxLagSecAfterWarm: number;
  maxFetchLagSecAfterWarm: number;
  held: boolean;
  freshnessSec: { p50: number; p99: number; tweets: number } | null;
  pulseFreshnessMs: PulseReport['freshnessMs'];
  exactInInflux: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function influxTarget(bucket: string): InfluxTarget {
  const token = localInfluxToken(INFLUX);
  if (!token) throw new Error(`no token for the InfluxDB at ${INFLUX} (scripts/influxdb.sh up)`);
  return { url: INFLUX, org: 'datastorm', bucket, token };
}

async function soloMaximum(bootstrap: string): Promise<number[]> {
  const rates: number[] = [];
  for (let i = 0; i < SOLO_RUNS; i++) {
    const topic = `pipeline-solo-${i}-${Date.now().toString(36)}`;
    const r = await sh(process.execPath, stormArgs(bootstrap, topic, ['--count', String(SOLO_COUNT), '--json']));
    if (r.code !== 0) throw new Error(`storm: ${r.err}`);
    rates.push((JSON.parse(r.out) as StormReport).rate.average);
  }
  return rates;
}

/** Per second of created_at, its sum of tweets in the bucket over the last five minutes. */
async function secondSums(target: InfluxTarget): Promise<Map<number, number>> {
  const flux =
    `from(bucket: "${target.bucket}") |> range(start: -5m)` +
    ` |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r._field == "count")` +
    ' |> group() |> aggregateWindow(every: 1s, fn: sum, createEmpty: false, timeSrc: "_start")';
  const sums = new Map<number, number>();
  for (const row of await fluxRows(target, flux))
    sums.set(Math.round(Date.parse(String(row._time)) / 1000), Number(row._value ?? 0));
  return sums;
}

/** The first poll at which each tweet was visible: t − (S + 0.5 s) per tweet, from the polls' per-second sums. */
function freshnessFromPolls(polls: { at: number; sums: Map<number, number> }[], final: Map<number, number>) {
  const ages: [number, number][] = []; // [age s, tweets]
  for (const [second, total] of final) {
    let seen = 0;
    for (const poll of polls) {
      const now = Math.min(poll.sums.get(second) ?? 0, total);
      if (now > seen) ages.push([Math.max(0, poll.at / 1000 - (second + 0.5)), now - seen]);
      seen = Math.max(seen, now);
    }
  }
  const tweets = ages.reduce((n, [, k]) => n + k, 0);
  if (tweets === 0) return null;
  ages.sort((a, b) => a[0] - b[0]);
  const at = (p: number) => {
    let cumulative = 0;
    for (const [age, k] of ages) {
      cumulative += k;
      if (cumulative >= p * tweets) return Math.round(age * 100) / 100;
    }
    return Math.round(ages[ages.length - 1][0] * 100) / 100;
  };
  return { p50: at(0.5), p99: at(0.99), tweets };
}

function spawnCollect(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out: code === 0 ? out : `${out}\n${err}` })),
  );
  return { child, done };
}

async function metricsOf(): Promise<string> {
  return fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
}

/** The sum of pulse's lag gauges over partitions (messages not consumed yet). */
function pulseLag(metrics: string): number {
  let sum = 0;
  for (const m of metrics.matchAll(/^datastorm_pulse_lag\{partition="\d+"\} (\S+)$/gm)) sum += Number(m[1]);
  return sum;
}

/** Pulse has every partition assigned once /metrics carries a lag for each. */
async function untilJoined(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const lags = (await metricsOf()).match(/^datastorm_pulse_lag\{partition="\d+"\}/gm) ?? [];
    if (lags.length >= PARTITIONS) return;
    await sleep(250);
  }
  throw new Error('pulse did not join its group within 60 s');
}

async function step(bootstrap: string, rate: number, share: number): Promise<Step> {
  const topic = `pipeline-${Math.round(share * 100)}-${Date.now().toString(36)}`;
  const runId = `${topic}-run`;
  const bucket = `pipeline_${Date.now().toString(36)}`;
  const target = influxTarget(bucket);
  await createBucket(target);
  await ensureTopic(bootstrap, { topic, partitions: PARTITIONS, replication: 1 });
  const pulse = spawnCollect([
    ...[CLI, 'pulse', '--bootstrap', bootstrap, '--topic', topic, '--group', `g-${topic}`, '--workers', PULSE_WORKERS],
    ...['--influx-url', INFLUX, '--influx-bucket', bucket, '--dashboard', String(METRICS_PORT)],
    ...['--until-idle', '3', '--json', '--quiet'],
  ]);
  await untilJoined();
  const storm = spawnCollect(
    stormArgs(bootstrap, topic, [
      ...['--rate', String(rate), '--duration', String(STEP_SEC), '--run-id', runId],
      ...['--workers', STORM_WORKERS, '--json'],
    ]),
  );
  const group = new GroupLag({ bootstrap }, `g-${topic}`, topic);
  const started = Date.now();
  const lag: [number, number, number][] = [];
  const polls: { at: number; sums: Map<number, number> }[] = [];
  let stormEnded = false;
  void storm.done.then(() => (stormEnded = true));
  // Until the storm has ended and pulse has read everything (or 30 s past the storm's end).
  for (let behind = 1; !stormEnded || behind > 0; ) {
    await sleep(POLL_MS);
    const [committed, fetchLag] = await Promise.all([group.read(PARTITIONS), metricsOf().then(pulseLag)]);
    behind = Object.values(committed).reduce((sum, n) => sum + Math.max(0, n), 0);
    lag.push([(Date.now() - started) / 1000, behind, fetchLag]);
    polls.push({ at: Date.now(), sums: await secondSums(target) });
    if (Date.now() - started > (STEP_SEC + 30) * 1000) break;
  }
  group.close();
  const stormRun = await storm.done;
  if (stormRun.code !== 0) throw new Error(`storm: ${stormRun.out.slice(-300)}`);
  const pulseRun = await pulse.done;
  if (pulseRun.code !== 0) throw new Error(`pulse: ${pulseRun.out.slice(-300)}`);
  const stormReport = JSON.parse(stormRun.out) as StormReport;
  const pulseReport = JSON.parse(pulseRun.out) as PulseReport;
  const final = await secondSums(target);
  const inInflux = [...final.values()].reduce((a, b) => a + b, 0);
  await dropBucket(target);
  const steady = lag.filter(([sec]) => sec >= WARM_SEC && sec <= STEP_SEC);
  const maxLagSecAfterWarm = Math.max(0, ...steady.map(([, n]) => n / rate));
  const maxFetchLagSecAfterWarm = Math.max(0, ...steady.map(([, , n]) => n / rate));
  return {
    rate,
    share,
    acknowledged: stormReport.acknowledged ?? 0,
    achievedRate: Math.round((stormReport.acknowledged ?? 0) / STEP_SEC),
    lag,
    maxLagSecAfterWarm: Math.round(maxLagSecAfterWarm * 100) / 100,
    maxFetchLagSecAfterWarm: Math.round(maxFetchLagSecAfterWarm * 100) / 100,
    held: maxLagSecAfterWarm < LAG_LIMIT_SEC && (stormReport.acknowledged ?? 0) >= ACHIEVED_SHARE * rate * STEP_SEC,
    freshnessSec: freshnessFromPolls(polls, final),
    pulseFreshnessMs: pulseReport.freshnessMs,
    exactInInflux: inInflux === stormReport.acknowledged,
  };
}

async function main(): Promise<void> {
  const up = await sh('bash', [CLUSTER, 'up', '--brokers', '1', '--restart'], env);
  if (up.code !== 0) throw new Error(up.err);
  const bootstrap = up.out.trim().split('\n').pop() ?? '';
  const solo = await soloMaximum(bootstrap);
  const soloMax = median(solo);
  const steps: Step[] = [];
  for (let k = 0; k < MAX_STEPS; k++) {
    const share = Math.round((FIRST_SHARE + k * STEP_SHARE) * 100) / 100;
    const s = await step(bootstrap, Math.round(soloMax * share), share);
    steps.push(s);
    process.stderr.write(
      `pipeline: ${Math.round(share * 100)}% = ${s.rate}/s: max lag ${s.maxLagSecAfterWarm} s, ` +
        `${s.held ? 'held' : 'not held'} (achieved ${s.achievedRate}/s, fetch lag ${s.maxFetchLagSecAfterWarm} s); ` +
        `freshness ${JSON.stringify(s.freshnessSec)}\n`,
    );
    if (!s.held) break;
  }
  await sh('bash', [CLUSTER, 'down', '--purge'], env);
  write(solo, steps);
}

const children = (n: string) => `${n} ${n === '1' ? 'child' : 'children'}`;

function write(solo: number[], steps: Step[]): void {
  const soloMax = median(solo);
  const held = steps.filter((s) => s.held).pop() ?? null;
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    settings: {
      brokers: 1,
      partitions: PARTITIONS,
      stormWorkers: STORM_WORKERS,
      pulseWorkers: PULSE_WORKERS,
      stepSec: STEP_SEC,
      warmSec: WARM_SEC,
      lagLimitSec: LAG_LIMIT_SEC,
      pollMs: POLL_MS,
      soloCount: SOLO_COUNT,
    },
    soloRates: solo,
    soloMax,
    steps,
    highestHeld: held ? { rate: held.rate, share: held.share } : null,
  };
  fs.mkdirSync(path.join(ROOT, 'benchmarks/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'benchmarks/results/pipeline.json'), `${JSON.stringify(result, null, 1)}\n`);
  const en = (n: number) => Math.round(n).toLocaleString('en-US');
  const sec = (f: { p50: number; p99: number } | null) => (f ? `${f.p50} / ${f.p99}` : '-');
  const ms = (f: PulseReport['freshnessMs']) =>
    f ? `${(f.p50 / 1000).toFixed(2)} / ${(f.p99 / 1000).toFixed(2)}` : '-';
  const md = [
    '# Pipeline benchmark: storm and pulse at once',
    '',
    `Generated by \`make bench-pipeline\` on ${result.date}. Raw data (every lag sample): ` +
      '[results/pipeline.json](results/pipeline.json).',
    '',
    `Machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}. ` +
      `Versions: ${versionList(result.versions)}, InfluxDB 2.7.12 (built from source).`,
    `One broker, ${PARTITIONS} partitions. The storm's solo maximum: ${SOLO_RUNS} storms of ${en(SOLO_COUNT)} tweets ` +
      `alone on the cluster with every child (${solo.map(en).join(', ')} acknowledged/s; median ${en(soloMax)}). ` +
      `Then steps of ${STEP_SEC} s from ${FIRST_SHARE * 100}% of it up by ${STEP_SHARE * 100}%: pulse (counts ` +
      `store, ${children(PULSE_WORKERS)}) joined first, then the storm at the step's rate ` +
      `(${children(STORM_WORKERS)}). How the 2 cores are split: not pinned; the storm's and pulse's children, ` +
      'their two primaries, the broker ' +
      '(JVM) and InfluxDB all share them, as they would on one small host. Lag is read from outside every ' +
      `${POLL_MS} ms as kafka-consumer-groups.sh shows it (the partitions' ends minus the group's committed offsets; ` +
      "pulse commits what InfluxDB acknowledged, so this includes its 1 s flush interval), beside the consumers' " +
      "fetch lag from pulse's /metrics (fetched, not yet read); a step holds when, after its first " +
      `${WARM_SEC} s, the group's lag stays under ${LAG_LIMIT_SEC} s of the rate and the storm achieved at least ` +
      `${ACHIEVED_SHARE * 100}% of it (on shared cores it may not). Freshness from InfluxDB: ` +
      `polls of the per-second sums every ${POLL_MS} ms, each tweet counted fresh when a poll first shows it, ` +
      "against the middle of its created_at second (±0.5 s); beside it pulse's own figure (created_at to " +
      "InfluxDB's acknowledgement, 10 ms steps).",
    '',
    '| share of solo max | rate/s | achieved/s | max group lag after warm-up, s | max fetch lag, s | held | ' +
      'freshness in InfluxDB p50 / p99, s | pulse freshness p50 / p99, s | InfluxDB sum exact |',
    '|---|---|---|---|---|---|---|---|---|',
    ...steps.map(
      (s) =>
        `| ${Math.round(s.share * 100)}% | ${en(s.rate)} | ${en(s.achievedRate)} | ${s.maxLagSecAfterWarm} | ` +
        `${s.maxFetchLagSecAfterWarm} | ` +
        `${s.held ? 'yes' : 'no'} | ${sec(s.freshnessSec)} | ${ms(s.pulseFreshnessMs)} | ` +
        `${s.exactInInflux ? 'yes' : 'no'} |`,
    ),
    '',
    held
      ? `Highest rate held: **${en(held.rate)}/s, ${Math.round(held.share * 100)}% of the storm's solo maximum** ` +
        `(goal: at least 50%); freshness there p50 ${held.freshnessSec?.p50} s, p99 ${held.freshnessSec?.p99} s.`
      : `No step held (the first was ${Math.round(FIRST_SHARE * 100)}% of the solo maximum).`,
  ];
  fs.writeFileSync(path.join(ROOT, 'benchmarks/PIPELINE.md'), `${md.join('\n')}\n`);
  process.stdout.write(`${md.slice(-(steps.length + 4)).join('\n')}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`pipeline-bench: error: ${e.message}\n`);
  process.exit(1);
});
