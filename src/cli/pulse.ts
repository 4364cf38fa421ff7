/** `datastorm pulse`: flags → validated options → pulse engine (or --summary: the sentiment breakdown from InfluxDB). */
import { isBootstrapList } from '../kafka/bootstrap.js';
import type { Argv } from 'yargs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pulse, type PulseTickEvent } from '../pulse/primary.js';
import { checkInflux, influxQuery } from '../pulse/influx-sink.js';
import { InvalidOptionsError, DataStormError } from '../errors.js';
import { ROOT } from '../local/services.js';
import type { PulseOptions } from '../pulse/protocol.js';

export function pulseFlags(y: Argv) {
  return y
    .option('bootstrap', { type: 'string', describe: 'Kafka cluster (default: the running local cluster)' })
    .option('topic', { type: 'string', default: 'tweets', describe: 'topic to read' })
    .option('group', { type: 'string', default: 'datastorm-pulse', describe: 'consumer group id' })
    .option('workers', { type: 'string', describe: 'consumer children (default: one per core)' })
    .option('store', { type: 'string', default: 'counts', describe: 'counts: per-second sums per brand and sentiment; points: one point per tweet' })
    .option('influx-url', { type: 'string', default: 'http://127.0.0.1:8086', describe: 'InfluxDB URL' })
    .option('influx-token', { type: 'string', default: 'datastorm:datastorm', describe: 'InfluxDB credentials, user:password' })
    .option('influx-db', { type: 'string', default: 'brandpulse', describe: 'InfluxDB database' })
    .option('flush-points', { type: 'string', default: '5000', describe: 'flush after this many buffered points' })
    .option('flush-ms', { type: 'string', default: '5000', describe: 'flush at least this often (ms)' })
    .option('count', { type: 'string', describe: 'stop after this many tweets consumed' })
    .option('duration', { type: 'string', describe: 'stop after this many seconds' })
    .option('until-idle', { type: 'string', describe: 'stop once caught up and idle for this many seconds' })
    .option('summary', { type: 'boolean', default: false, describe: 'print the sentiment breakdown of the last --minutes from InfluxDB and exit' })
    .option('minutes', { type: 'string', default: '60', describe: 'with --summary: how far back' })
    .option('json', { type: 'boolean', default: false })
    .option('quiet', { type: 'boolean', default: false });
}

type Flags = Awaited<ReturnType<ReturnType<typeof pulseFlags>['parseAsync']>>;

const wholeFrom = (v: string | undefined, min: number) => v === undefined || (/^\d+$/.test(v) && Number(v) >= min);

export function validatePulse(a: Flags): string[] {
  const e: string[] = [];
  if (a.store !== 'points' && a.store !== 'counts') e.push(`--store must be points or counts (got '${a.store}')`);
  if (!wholeFrom(a.workers, 1) || Number(a.workers) > 256) e.push(`--workers must be a whole number from 1 to 256 (got '${a.workers}')`);
  if (!wholeFrom(a['flush-points'], 1)) e.push(`--flush-points must be a whole number from 1 up (got '${a['flush-points']}')`);
  if (!wholeFrom(a['flush-ms'], 10)) e.push(`--flush-ms must be a whole number of milliseconds from 10 up (got '${a['flush-ms']}')`);
  for (const k of ['count', 'duration', 'until-idle', 'minutes'] as const) if (!wholeFrom(a[k], 1)) e.push(`--${k} must be a whole number from 1 up (got '${a[k]}')`);
  if (!/^https?:\/\/[^/\s]+/.test(a['influx-url'])) e.push(`--influx-url must be an http:// or https:// URL (got '${a['influx-url']}')`);
  if (!a['influx-token'].includes(':')) e.push(`--influx-token must be user:password (got '${a['influx-token'].replace(/./g, '*')}')`);
  if (a.bootstrap !== undefined && !isBootstrapList(a.bootstrap)) e.push(`--bootstrap must be host:port[,host:port…] (got '${a.bootstrap}')`);
  return e;
}

export function localBootstrap(): string {
  const r = spawnSync('bash', [path.join(ROOT, 'kafka-cluster/cluster.sh'), 'bootstrap'], { encoding: 'utf8' });
  if (r.status !== 0) throw new DataStormError('KAFKA_UNREACHABLE', 'no --bootstrap given and no local cluster is running (start one with a storm, or kafka-cluster/cluster.sh up)');
  return r.stdout.trim();
}

export async function pulseCommand(a: Flags): Promise<number> {
  const problems = validatePulse(a);
  if (problems.length) throw new InvalidOptionsError(problems);
  const influx = { url: a['influx-url'].replace(/\/$/, ''), token: a['influx-token'], db: a['influx-db'] };

  if (a.summary) {
    await checkInflux(influx);
    const series = await influxQuery(influx, `SELECT sum("count") FROM "tweets" WHERE time > now() - ${Number(a.minutes)}m GROUP BY "sentiment"`);
    const by: Record<string, number> = { positive: 0, negative: 0, neutral: 0 };
    for (const s of series) by[s.tags?.sentiment ?? '?'] = Number(s.values[0]?.[1] ?? 0);
    const total = by.positive + by.negative + by.neutral;
    if (a.json) process.stdout.write(JSON.stringify({ minutes: Number(a.minutes), total, bySentiment: by }) + '\n');
    else {
      process.stdout.write(`Sentiment over the last ${a.minutes} minutes (InfluxDB ${influx.url}, database ${influx.db}): ${total.toLocaleString('en-US')} tweets\n`);
      for (const k of ['positive', 'negative', 'neutral']) process.stdout.write(`  ${k.padEnd(9)} ${by[k].toLocaleString('en-US').padStart(12)}  ${total ? ((100 * by[k]) / total).toFixed(2) : '0.00'}%\n`);
    }
    return 0;
  }

  const o: PulseOptions = {
    bootstrap: a.bootstrap ?? localBootstrap(),
    topic: a.topic,
    group: a.group,
    workers: a.workers ? Number(a.workers) : os.availableParallelism(),
    store: a.store as 'points' | 'counts',
    influx,
    flushPoints: Number(a['flush-points']),
    flushMs: Number(a['flush-ms']),
    count: a.count ? Number(a.count) : undefined,
    duration: a.duration ? Number(a.duration) : undefined,
    untilIdle: a['until-idle'] ? Number(a['until-idle']) : undefined,
  };
  const run = pulse(o);
  const tty = process.stderr.isTTY && !a.quiet;
  run.on('start', (s: { partitions: number }) => {
    if (!a.quiet) process.stderr.write(`pulse: ${o.topic} (${s.partitions} partitions) → InfluxDB ${influx.url} db ${influx.db}, store ${o.store}, ${o.workers} consumers in group ${o.group}\n`);
  });
  if (tty) {
    run.on('tick', (t: PulseTickEvent) => {
      process.stderr.write(`\r\x1b[2Kconsumed ${t.consumed.toLocaleString('en-US')} (${Math.round(t.consumedRate).toLocaleString('en-US')}/s)  points ${t.points.toLocaleString('en-US')} (${Math.round(t.pointsRate).toLocaleString('en-US')}/s)  lag ${t.lag.toLocaleString('en-US')}  retries ${t.retries}  write errors ${t.writeErrors}`);
    });
  }
  run.on('restart', (r: { slot: number; signal?: string; code?: number }) => process.stderr.write(`pulse: child ${r.slot} died (${r.signal ?? `exit ${r.code}`}); restarted\n`));
  const onSig = () => run.stop();
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  const r = await run;
  if (tty) process.stderr.write('\n');
  if (a.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    process.stdout.write(
      `pulse ${r.topic} → ${r.influx.url}/${r.influx.db} (${r.store}): consumed ${r.consumed.toLocaleString('en-US')} tweets in ${r.elapsedSec} s (${r.consumedPerSec.toLocaleString('en-US')}/s), ` +
        `${r.pointsWritten.toLocaleString('en-US')} points written (${r.pointsPerSec.toLocaleString('en-US')}/s), ${r.retries} retries, ${r.writeErrors} write errors, lag ${r.lagAtEnd}` +
        `${r.undecodable ? `, ${r.undecodable.toLocaleString('en-US')} undecodable (not tweets of the schema; skipped)` : ''}\n` +
        `  sentiment consumed: positive ${r.bySentiment.positive.toLocaleString('en-US')}, negative ${r.bySentiment.negative.toLocaleString('en-US')}, neutral ${r.bySentiment.neutral.toLocaleString('en-US')}` +
        `${r.allCommitted ? '' : '\n  note: some offsets were not committed (a write was not acknowledged before shutdown); they will be read again'}\n`,
    );
  }
  return 0;
}
