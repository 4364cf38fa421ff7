/** `datastorm pulse`: flags → pulse options → pulse engine (or --summary: the sentiment from InfluxDB). */
import type { Argv } from 'yargs';
import { localBootstrap } from '../local/services.js';
import { type RawFlags, validOrThrow } from '../option-checks.js';
import { type PulseOptions, parsePulseOptions, pulseFlags } from '../pulse/options.js';
import { pulse } from '../pulse/primary.js';
import { sentimentSummary } from '../pulse/summary.js';
import {
  type PulseProgress,
  renderPulseProgress,
  renderPulseSummary,
  renderPulseText,
} from '../report/pulse-report.js';
import { outputFlags } from './output-flags.js';

export const pulseCommandFlags = (y: Argv) => y.options(pulseFlags).options(outputFlags);

export async function pulseCommand(a: RawFlags & { json: boolean; quiet: boolean }): Promise<number> {
  const { summaryMinutes, ...request } = validOrThrow(parsePulseOptions(a));
  if (summaryMinutes !== undefined) {
    const s = await sentimentSummary(request.influx, summaryMinutes);
    process.stdout.write(a.json ? `${JSON.stringify(s)}\n` : `${renderPulseSummary(s, request.influx)}\n`);
    return 0;
  }

  const o: PulseOptions = { ...request, bootstrap: request.bootstrap ?? localBootstrap() };
  const run = pulse(o);
  const tty = process.stderr.isTTY && !a.quiet;
  run.on('start', (s: { partitions: number }) => {
    if (a.quiet) return;
    const where = `InfluxDB ${o.influx.url} db ${o.influx.db}, store ${o.store}`;
    const who = `${o.workers} consumers in group ${o.group}`;
    process.stderr.write(`pulse: ${o.topic} (${s.partitions} partitions) → ${where}, ${who}\n`);
  });
  if (tty) run.on('tick', (t: PulseProgress) => process.stderr.write(`\r\x1b[2K${renderPulseProgress(t)}`));
  run.on('restart', (r: { slot: number; signal?: string; code?: number }) =>
    process.stderr.write(`pulse: child ${r.slot} died (${r.signal ?? `exit ${r.code}`}); restarted\n`),
  );
  const onSig = () => run.stop();
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  const r = await run;
  if (tty) process.stderr.write('\n');
  process.stdout.write(a.json ? `${JSON.stringify(r, null, 2)}\n` : `${renderPulseText(r)}\n`);
  return 0;
}
