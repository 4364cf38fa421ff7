/** `datastorm storm`: flags → storm options → storm engine → progress on stderr, report on stdout. */
import fs from 'node:fs';
import path from 'node:path';
import { DataStormError, exitOf, wrapError } from '../errors.js';
import { loadStormSchema } from '../generate/storm-schema.js';
import { influxFromFlags } from '../influx/influx-options.js';
import { ROOT, startLocalCluster } from '../local/services.js';
import { log } from '../log.js';
import { OptionChecks, type RawFlags, validOrThrow } from '../option-checks.js';
import { renderStormHtml } from '../report/html-report.js';
import { renderMergedText } from '../report/merged-report.js';
import { ProgressBar } from '../report/progress.js';
import { renderStormText, type StormReport, saveReport } from '../report/storm-report.js';
import { thresholdCases } from '../report/threshold-lines.js';
import { describeKeys } from '../scenario/keys.js';
import { parseDashboardOptions } from '../serve/options.js';
import { parseStormOptions, type StormOptions } from '../storm/options.js';
import { type StormRun, storm } from '../storm/primary.js';
import { checkGateFiles, type GateOutput, gateExit, writeGateFiles } from './gate.js';
import { stopOnSignals } from './signals.js';

export async function stormCommand(
  flags: RawFlags & { json: boolean; quiet: boolean; save: boolean; html?: string },
): Promise<number> {
  const parsed = parseStormOptions(flags);
  const checks = new OptionChecks();
  const dashboard = parseDashboardOptions(flags, checks, influxFromFlags(checks, flags));
  if (flags.html !== undefined && String(flags.html).trim() === '') checks.add('--html needs a file name');
  checkGateFiles(checks, flags);
  // Every problem at once: the storm's own, then the output's.
  const request = validOrThrow({ request: parsed.request, problems: [...parsed.problems, ...checks.problems] });
  // The schema file too, before a local cluster is started for nothing.
  const schema = loadStormSchema(request);
  const records = schema.kind !== 'tweet' ? schema.name : undefined;
  const bootstrap = request.bootstrap ?? (await startLocalCluster(request.brokers, flags.quiet || flags.json));
  const options: StormOptions = { ...request, bootstrap };

  const run = storm(options);
  // The dashboard's server (and prom-client) is loaded only when asked for: every storm start would pay its CPU.
  const served = dashboard
    ? await (await import('../serve/attach.js')).serveRun(run, dashboard, {
        title: `DataStorm ${options.runId}`,
        kind: 'storm',
        cluster: options,
        topic: options.topic,
      })
    : undefined;
  if (served && !flags.quiet)
    process.stderr.write(`dashboard: ${served.url} (metrics: ${served.url.replace(/\/(\?|$)/, '/metrics$1')})\n`);
  const tty = process.stderr.isTTY && !flags.quiet;
  const bar = new ProgressBar(process.stderr, records === undefined ? 'tweets' : 'records');
  if (tty) run.on('tick', bar.onTick);
  tellProgress(run, options, flags.quiet, records);

  const stopping = stopOnSignals('storm', (settleMs) => run.stop(settleMs));
  try {
    const report = await run;
    if (tty) bar.clear();
    // The report first: a page that cannot be written (a full disk) must not lose the run's figures.
    const saved = flags.save ? saveStormReport(report) : undefined;
    const file = typeof saved === 'string' ? saved : undefined;
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderStormText(report)}\n`);
    const htmlProblem = flags.html ? writeHtmlReport(String(flags.html), report) : undefined;
    const ombProblem = options.ombResult ? writeOmbResult(options.ombResult, run.ombResult) : undefined;
    const gate = stormGate(report);
    const gateProblem = writeGateFiles(flags, gate);
    // The last instance of a run of several prints the run's merged report too (in --json, its 'merged').
    if (report.merged && !flags.json) process.stdout.write(`\n${renderMergedText(report.merged)}\n`);
    await served?.finish(report); // the page shows the end; --dashboard-linger keeps it up for a last look
    if (file && !flags.json && !flags.quiet)
      process.stderr.write(`report saved: ${path.relative(process.cwd(), file)}\n`);
    // Failed mid-run: the true report is out; the error is the one line on stderr and the exit code.
    if (report.error) throw new DataStormError(report.error.code, report.error.message);
    if (saved instanceof DataStormError) throw saved;
    if (htmlProblem) throw htmlProblem;
    if (ombProblem) throw ombProblem;
    if (gateProblem) throw gateProblem;
    return report.stoppedEarly ? exitOf('INTERRUPTED') : gateExit(gate.suite.cases);
  } finally {
    stopping.off();
  }
}

/** What the storm says on stderr as it goes: its start, restarts, warnings, the instances' barrier. */
function tellProgress(run: StormRun, options: StormOptions, quiet: boolean, records: string | undefined): void {
  run.on('start', (s: { brokers: number; topic: { partitions: number; replication: number } }) => {
    if (!quiet) process.stderr.write(`${startLine(options, s, records)}\n`);
  });
  run.on('restart', (r: { slot: number; signal?: string; code?: number; unsettled: number }) =>
    process.stderr.write(
      `storm: child ${r.slot} died (${r.signal ?? `exit ${r.code}`}); restarted, ${r.unsettled} unsettled messages ` +
        `given back\n`,
    ),
  );
  run.on('warning', (m: string) => log.warn(m));
  let waitingFor = -1;
  run.on('barrier', (b: { joined: number; instances: number }) => {
    if (quiet || b.joined === waitingFor) return;
    waitingFor = b.joined;
    process.stderr.write(`storm: waiting for every instance of the run: ${b.joined} of ${b.instances} joined\n`);
  });
}

/** Saves the report under benchmarks/results/storms/; the reason it could not, as the run's one error line. */
function saveStormReport(report: StormReport): string | DataStormError {
  try {
    return saveReport(report, path.join(ROOT, 'benchmarks/results/storms'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return wrapError('OUTPUT', `--save: cannot write the report (${err.code ?? err.message})`, e);
  }
}

/** Writes the HTML report; the reason it could not, as the run's one error line (its report is out already). */
function writeHtmlReport(file: string, report: StormReport): DataStormError | undefined {
  try {
    fs.writeFileSync(file, renderStormHtml(report));
    return undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return wrapError('OUTPUT', `--html ${file}: cannot write it (${err.code ?? err.message})`, e);
  }
}

/** Writes OpenMessaging Benchmark's result JSON; the reason it could not, as the run's one error line. */
function writeOmbResult(file: string, result: Record<string, unknown> | undefined): DataStormError | undefined {
  try {
    fs.writeFileSync(file, `${JSON.stringify(result ?? {}, null, 2)}\n`);
    return undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return wrapError('OUTPUT', `--omb-result ${file}: cannot write it (${err.code ?? err.message})`, e);
  }
}

/** The storm's thresholds as a JUnit suite and a Markdown summary. */
function stormGate(report: StormReport): GateOutput {
  const cases = thresholdCases(report.thresholds);
  const en = (n: number) => Math.round(n).toLocaleString('en-US');
  const latency = report.latencyMs;
  const failed = Object.entries(report.failedByKind).map(([kind, n]) => `${kind} ${en(n)}`);
  return {
    suite: {
      name: 'datastorm.storm',
      cases,
      elapsedSec: report.elapsedSec,
      startedAt: new Date(report.startedAt),
      properties: { 'run-id': report.runId, topic: report.topic, brokers: String(report.brokers) },
    },
    summary: {
      title: `DataStorm storm ${report.runId} → ${report.topic}`,
      cases,
      ended: report.error ? `ended by ${report.error.code}: ${report.error.message}` : report.notes.join(' '),
      figures: [
        ['acknowledged', `${en(report.acknowledged ?? report.sent)} in ${report.elapsedSec} s`],
        ['rate', `${en(report.rate.average)} msg/s average, ${en(report.rate.peak)} peak`],
        ['latency', latency ? `p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms` : 'none measured'],
        ['failed', failed.length ? failed.join(', ') : '0'],
        ['brokers', String(report.brokers)],
      ],
    },
  };
}

/** The one-line description of the run, on stderr at start. */
function startLine(
  options: StormOptions,
  s: { brokers: number; topic: { partitions: number; replication: number } },
  records: string | undefined,
): string {
  const noun = records === undefined ? 'tweets' : `${records} records`;
  const what =
    options.count !== undefined
      ? `${options.count.toLocaleString('en-US')} ${noun}`
      : options.duration !== undefined
        ? `${options.duration} s of ${noun}`
        : `${noun} until the cluster falls behind`;
  const mix =
    records !== undefined
      ? options.keyField !== undefined
        ? `keyed by field ${options.keyField}`
        : ''
      : options.mode === 'fixed'
        ? `fixed ${options.sentiment.join('/')}`
        : `volatile ${options.volatility} around ${options.sentiment.join('/')}, ` +
          `${options.swingEveryMs === null ? 'a mix per batch' : `a mix every ${options.swingEveryMs / 1000} s`}`;
  const pace = options.shape.name === 'unlimited' ? 'as fast as possible' : options.shape.description;
  const extras = [
    options.warmup > 0 ? `warm-up ${options.warmup} s (not counted)` : '',
    options.keys.kind !== 'none' ? describeKeys(options.keys) : '',
  ].filter(Boolean);
  const where = `${options.topic} (${s.topic.partitions}p × ${s.topic.replication}) on ${s.brokers} broker(s)`;
  const producer = `acks=${options.acks}, ${options.compression}`;
  const scenario = options.scenario
    ? `scenario ${options.scenario.file}${options.scenario.description ? `: ${options.scenario.description}` : ''}\n`
    : '';
  return (
    `${scenario}storm ${options.runId}: ${[what, mix, pace, ...extras].filter(Boolean).join(', ')}, ` +
    `${options.workers} workers → ${where}, ${producer}`
  );
}
