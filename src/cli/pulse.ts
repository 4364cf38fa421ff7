/** `datastorm pulse`: flags → pulse options → pulse engine (or --summary: the sentiment from InfluxDB). */
import { InvalidOptionsError } from '../errors.js';
import { TOKEN_ENV } from '../influx/influx-options.js';
import type { InfluxTarget } from '../influx/influx-sink.js';
import { localBootstrap, localInfluxToken } from '../local/services.js';
import { OptionChecks, type RawFlags, validOrThrow } from '../option-checks.js';
import { type PulseOptions, type PulseRequest, parsePulseOptions } from '../pulse/options.js';
import { pulse } from '../pulse/primary.js';
import { sentimentSummary } from '../pulse/summary.js';
import {
  type PulseProgress,
  type PulseReport,
  renderPulseProgress,
  renderPulseSummary,
  renderPulseText,
} from '../report/pulse-report.js';
import { thresholdCases } from '../report/threshold-lines.js';
import { parseDashboardOptions } from '../serve/options.js';
import { checkGateFiles, type GateOutput, gateExit, writeGateFiles } from './gate.js';
import { stopOnSignals } from './signals.js';

/** The token: --influx-token, else $DATASTORM_INFLUX_TOKEN (both in the request), else the local InfluxDB's own. */
function influxTarget(r: PulseRequest): InfluxTarget {
  const token = r.influx.token ?? localInfluxToken(r.influx.url);
  if (token === undefined)
    throw new InvalidOptionsError([
      `--influx-token is needed for ${r.influx.url} (or set ${TOKEN_ENV}; ` +
        'the local one from scripts/influxdb.sh up is found by itself)',
    ]);
  return { ...r.influx, token };
}

export async function pulseCommand(flags: RawFlags & { json: boolean; quiet: boolean }): Promise<number> {
  const parsed = parsePulseOptions(flags);
  const fileChecks = new OptionChecks();
  checkGateFiles(fileChecks, flags);
  const { summaryMinutes, ...request } = validOrThrow({
    request: parsed.request,
    problems: [...parsed.problems, ...fileChecks.problems],
  });
  const influx = influxTarget(request);
  if (summaryMinutes !== undefined) {
    const s = await sentimentSummary(influx, summaryMinutes);
    process.stdout.write(flags.json ? `${JSON.stringify(s)}\n` : `${renderPulseSummary(s, influx)}\n`);
    return 0;
  }

  const checks = new OptionChecks();
  const dash = parseDashboardOptions(flags, checks, influx);
  validOrThrow({ request: true, problems: checks.problems });
  const o: PulseOptions = { ...request, influx, bootstrap: request.bootstrap ?? localBootstrap() };
  const run = pulse(o);
  const served = dash
    ? await (await import('../serve/attach.js')).serveRun(
        run,
        { ...dash, pulseGroup: o.group },
        {
          title: `BrandPulse ${o.topic}`,
          kind: 'pulse',
          cluster: o,
          topic: o.topic,
        },
      )
    : undefined;
  if (served && !flags.quiet) process.stderr.write(`dashboard: ${served.url}\n`);
  const tty = process.stderr.isTTY && !flags.quiet;
  run.on('start', (s: { partitions: number }) => {
    if (flags.quiet) return;
    const where = `InfluxDB ${o.influx.url} bucket ${o.influx.bucket}, store ${o.store}`;
    const who = `${o.workers} consumers in group ${o.group}`;
    process.stderr.write(`pulse: ${o.topic} (${s.partitions} partitions) → ${where}, ${who}\n`);
  });
  if (tty) run.on('tick', (t: PulseProgress) => process.stderr.write(`\r\x1b[2K${renderPulseProgress(t)}`));
  run.on('restart', (r: { slot: number; signal?: string; code?: number }) =>
    process.stderr.write(`pulse: child ${r.slot} died (${r.signal ?? `exit ${r.code}`}); restarted\n`),
  );
  run.on('warning', (m: string) => process.stderr.write(`pulse: ${m}\n`));
  const stopping = stopOnSignals('pulse', (settleMs) => run.stop(settleMs));
  let r: PulseReport;
  try {
    r = await run;
  } finally {
    stopping.off();
  }
  if (tty) process.stderr.write('\n');
  process.stdout.write(flags.json ? `${JSON.stringify(r, null, 2)}\n` : `${renderPulseText(r)}\n`);
  const gate = pulseGate(r);
  const gateProblem = writeGateFiles(flags, gate);
  await served?.finish(r);
  if (gateProblem) throw gateProblem;
  return gateExit(gate.suite.cases);
}

/** Pulse's thresholds as a JUnit suite and a Markdown summary. */
function pulseGate(r: PulseReport): GateOutput {
  const cases = thresholdCases(r.thresholds);
  const en = (n: number) => Math.round(n).toLocaleString('en-US');
  const f = r.freshnessMs;
  return {
    suite: {
      name: 'datastorm.pulse',
      cases,
      elapsedSec: r.elapsedSec,
      startedAt: new Date(Date.now() - r.elapsedSec * 1000),
      properties: { topic: r.topic, group: r.group, store: r.store },
    },
    summary: {
      title: `DataStorm pulse ${r.topic} → InfluxDB (${r.store})`,
      cases,
      ended: r.thresholds?.aborted
        ? `stopped at ${r.thresholds.aborted.atSec} s by '${r.thresholds.aborted.expr}'`
        : '',
      figures: [
        ['consumed', `${en(r.consumed)} in ${r.elapsedSec} s`],
        ['rate', `${en(r.rate.active)}/s while consuming, ${en(r.rate.overall)}/s overall`],
        ['lag', `${en(r.lag.atEnd)} at the end, at most ${en(Math.max(0, r.lag.most))}`],
        ['freshness', f ? `p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms` : 'none measured'],
        ['write errors', en(r.writeErrors)],
      ],
    },
  };
}
