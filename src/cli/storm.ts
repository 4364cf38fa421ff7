/** `datastorm storm`: flags → validated options → storm engine → progress on stderr, report on stdout. */
import type { Argv } from 'yargs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { storm } from '../storm/primary.js';
import { validateStormOptions, defaults, parseSentiment, DEFAULT_COUNT, type StormOptions, type Acks, type Mode, type Compression } from '../storm/options.js';
import { BRANDS } from '../generate/texts.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { DataStormError, InvalidOptionsError, type ErrorCode } from '../errors.js';
import { ProgressBar } from '../report/progress.js';
import { renderText, saveReport } from '../report/summary.js';
import { ROOT, startLocalCluster } from '../local/services.js';
import { log } from '../log.js';

export function stormFlags(y: Argv) {
  return y
    .option('brokers', { type: 'string', describe: 'size of the local cluster to start or reuse when no --bootstrap is given (1-9)', default: '4' })
    .option('bootstrap', { type: 'string', describe: 'an existing cluster, host:port[,host:port…]; nothing local is started' })
    .option('topic', { type: 'string', describe: 'topic to produce to (created when missing)', default: defaults.topic })
    .option('partitions', { type: 'string', describe: 'partitions when the topic is created (default: 3 per broker)' })
    .option('replication', { type: 'string', describe: 'replication factor when the topic is created (default: min(3, brokers))' })
    .option('count', { type: 'string', describe: `exact total of acknowledged tweets (default ${DEFAULT_COUNT.toLocaleString('en-US')} unless --duration)` })
    .option('duration', { type: 'string', describe: 'stop after this many seconds' })
    .option('rate', { type: 'string', describe: 'global target, tweets/s across all children and processes of the run (0 = as fast as possible)', default: '0' })
    .option('workers', { type: 'string', describe: 'child processes (default: one per core)' })
    .option('batch-size', { type: 'string', describe: 'tweets per generated batch', default: String(defaults.batchSize) })
    .option('max-in-flight', { type: 'string', describe: 'unacknowledged messages per child before it waits (1,000-200,000)', default: String(defaults.maxInFlight) })
    .option('mode', { type: 'string', describe: 'sentiment mode: fixed | volatile', default: defaults.mode })
    .option('sentiment', { type: 'string', describe: 'positive,negative,neutral percentages (sum 100)', default: defaults.sentiment.join(',') })
    .option('volatility', { type: 'string', describe: 'volatile mode swing, 0..1 (near 1 = wilder)', default: String(defaults.volatility) })
    .option('acks', { type: 'string', describe: '0 | 1 | all', default: defaults.acks })
    .option('idempotence', { type: 'boolean', describe: 'idempotent producer (default on with --acks all)' })
    .option('compression', { type: 'string', describe: 'lz4 | zstd | snappy | gzip | none', default: defaults.compression })
    .option('batch-bytes', { type: 'string', describe: 'max bytes of a producer batch', default: String(defaults.batchBytes) })
    .option('linger-ms', { type: 'string', describe: 'producer linger (ms)', default: String(defaults.lingerMs) })
    .option('brands', { type: 'string', describe: `comma list of brands (default all: ${Object.keys(BRANDS).join(', ')})` })
    .option('schema', { type: 'string', describe: 'Avro schema file of the tweets (default schemas/tweet.avsc; extra fields need defaults)' })
    .option('redis', { type: 'string', describe: 'Redis URL for the shared quota and counters', default: defaults.redis })
    .option('run-id', { type: 'string', describe: 'name of the run; storms with the same --redis and --run-id share one quota and counters' })
    .option('json', { type: 'boolean', describe: 'final report as JSON on stdout', default: false })
    .option('quiet', { type: 'boolean', describe: 'no progress bar', default: false })
    .option('save', { type: 'boolean', describe: 'save the report under benchmarks/results/storms/', default: true });
}

type Flags = Awaited<ReturnType<ReturnType<typeof stormFlags>['parseAsync']>>;

export async function stormCommand(a: Flags): Promise<number> {
  const problems = validateStormOptions({
    brokers: a.brokers, bootstrap: a.bootstrap, topic: a.topic, partitions: a.partitions, replication: a.replication, count: a.count,
    duration: a.duration, rate: a.rate, workers: a.workers, batchSize: a['batch-size'], maxInFlight: a['max-in-flight'], mode: a.mode, sentiment: a.sentiment,
    volatility: a.volatility, acks: a.acks, idempotence: a.idempotence, compression: a.compression, batchBytes: a['batch-bytes'],
    lingerMs: a['linger-ms'], brands: a.brands, redis: a.redis, runId: a['run-id'],
  });
  if (problems.length) throw new InvalidOptionsError(problems);
  // The schema file too, before a local cluster is started for nothing.
  loadTweetType(a.schema);

  const brokers = Number(a.brokers);
  const acks = (a.acks === '-1' ? 'all' : a.acks) as Acks;
  let bootstrap = a.bootstrap;
  if (!bootstrap) bootstrap = await startLocalCluster(brokers, a.quiet || a.json);
  const nBrokers = bootstrap.split(',').length;
  const o: StormOptions = {
    bootstrap,
    topic: a.topic,
    partitions: a.partitions ? Number(a.partitions) : 3 * nBrokers,
    replication: a.replication ? Number(a.replication) : Math.min(3, nBrokers),
    count: a.count ? Number(a.count) : a.duration ? undefined : DEFAULT_COUNT,
    duration: a.duration ? Number(a.duration) : undefined,
    rate: Number(a.rate),
    workers: a.workers ? Number(a.workers) : defaults.workers,
    batchSize: Number(a['batch-size']),
    maxInFlight: Number(a['max-in-flight']),
    mode: a.mode as Mode,
    sentiment: parseSentiment(a.sentiment),
    volatility: Number(a.volatility),
    acks,
    idempotence: a.idempotence ?? acks === 'all',
    compression: a.compression as Compression,
    batchBytes: Number(a['batch-bytes']),
    lingerMs: Number(a['linger-ms']),
    redis: a.redis,
    runId: a['run-id'] ?? `${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(3).toString('hex')}`,
    brands: a.brands ? a.brands.split(',').map((s) => s.trim()) : Object.keys(BRANDS),
    schema: a.schema,
  };

  const run = storm(o);
  const tty = process.stderr.isTTY && !a.quiet;
  const bar = new ProgressBar();
  run.on('start', (s: { brokers: number; topic: { partitions: number; replication: number } }) => {
    if (a.quiet) return;
    const what = o.count !== undefined ? `${o.count.toLocaleString('en-US')} tweets` : `${o.duration} s of tweets`;
    const mix = o.mode === 'fixed' ? `fixed ${o.sentiment.join('/')}` : `volatile ${o.volatility} around ${o.sentiment.join('/')}`;
    const pace = o.rate > 0 ? `${o.rate.toLocaleString('en-US')}/s` : 'as fast as possible';
    process.stderr.write(`storm ${o.runId}: ${what}, ${mix}, ${pace}, ${o.workers} workers → ${o.topic} (${s.topic.partitions}p × ${s.topic.replication}) on ${s.brokers} broker(s), acks=${o.acks}, ${o.compression}\n`);
  });
  if (tty) run.on('tick', bar.onTick);
  run.on('restart', (r: { slot: number; signal?: string; code?: number; unsettled: number }) =>
    process.stderr.write(`storm: child ${r.slot} died (${r.signal ?? `exit ${r.code}`}); restarted, ${r.unsettled} unsettled messages given back\n`),
  );

  run.on('warning', (m: string) => log.warn(m));

  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\nstorm: stopping: flushing what is in flight (Ctrl-C again to abandon it)\n');
    run.stop();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const report = await run;
    if (tty) bar.clear();
    const file = a.save ? saveReport(report, path.join(ROOT, 'benchmarks/results/storms')) : undefined;
    process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report) + '\n');
    if (file && !a.json && !a.quiet) process.stderr.write(`report saved: ${path.relative(process.cwd(), file)}\n`);
    // Failed mid-run: the true report is out; the error is the one line on stderr and the exit code.
    if (report.error) throw new DataStormError(report.error.code as ErrorCode, report.error.message);
    return report.stoppedEarly ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
