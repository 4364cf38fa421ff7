/**
 * `datastorm report RUN.json [--html FILE]`: renders a saved storm report as text, or as one HTML file.
 * `datastorm report --run-id RUN [--redis URL] [--json | --html FILE] [--wait S]`: the merged report of a run of
 * several instances, from what they published in Redis, at any time during or after the run.
 */
import fs from 'node:fs';
import type { Redis } from 'ioredis';
import { DataStormError, InvalidOptionsError, wrapError } from '../errors.js';
import { renderStormHtml } from '../report/html-report.js';
import type { InstanceRecord } from '../report/merged-report.js';
import { renderStormText, type StormReport, withScenarioDefaults } from '../report/storm-report.js';
import { readUserFile } from '../user-file.js';

interface ReportFlags {
  file?: string;
  html?: string;
  'run-id'?: string;
  redis?: string;
  'redis-ca'?: string;
  json?: boolean;
  wait?: string;
}

/** Saved storm reports are kilobytes to a few MiB (the timeline); as for --from-report. */
const MAX_REPORT_BYTES = 64 << 20;

export async function reportCommand(flags: ReportFlags): Promise<number> {
  if (flags['run-id'] !== undefined) return mergedReportCommand(flags);
  if (flags.wait !== undefined) throw new InvalidOptionsError(['--wait needs --run-id RUN (it waits for a run)']);
  if (!flags.file) throw new InvalidOptionsError(['report needs the JSON file of a storm report, or --run-id RUN']);
  const file = readUserFile(flags.file, MAX_REPORT_BYTES);
  if (file.problem !== undefined)
    throw new DataStormError('INVALID_OPTION', `report ${flags.file}: cannot read it (${file.problem})`);
  let r: StormReport;
  try {
    r = JSON.parse(file.text) as StormReport;
  } catch (e) {
    throw new DataStormError(
      'INVALID_OPTION',
      `report ${flags.file}: cannot read it as JSON (${(e as Error).message})`,
    );
  }
  if (typeof r?.runId !== 'string' || !Array.isArray(r.timeline))
    throw new DataStormError('INVALID_OPTION', `report ${flags.file}: not a storm report (no runId and timeline)`);
  r = withScenarioDefaults(r);
  if (flags.html) writeHtml(flags.html, renderStormHtml(r), () => renderStormText(r));
  else process.stdout.write(`${renderStormText(r)}\n`);
  return 0;
}

async function mergedReportCommand(flags: ReportFlags): Promise<number> {
  const runId = String(flags['run-id']);
  const problems: string[] = [];
  if (flags.file) problems.push(`report takes a file or --run-id, not both (got '${flags.file}' and '${runId}')`);
  if (flags.html !== undefined && flags.json) problems.push('report takes --json or --html FILE, not both');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(runId))
    problems.push(`--run-id must be 1-64 letters, digits, '.', '_' or '-' (got '${runId}')`);
  const waitSec = flags.wait === undefined ? undefined : Number(flags.wait);
  if (waitSec !== undefined && !(Number.isSafeInteger(waitSec) && waitSec >= 1 && waitSec <= 86_400))
    problems.push(`--wait must be a whole number of seconds from 1 to 86,400 (got '${flags.wait}')`);
  if (problems.length) throw new InvalidOptionsError(problems);
  const { connectRedis } = await import('../coord/redis.js');
  const { mergeInstanceRecords, renderMergedText } = await import('../report/merged-report.js');
  const redis = await connectRedis(String(flags.redis), flags['redis-ca']);
  try {
    const { records, complete } = await recordsOf(redis, runId, waitSec);
    const merged = mergeInstanceRecords(runId, records);
    if (flags.html !== undefined) {
      const { renderMergedHtml } = await import('../report/merged-html.js');
      writeHtml(flags.html, renderMergedHtml(merged), () => renderMergedText(merged));
    } else process.stdout.write(flags.json ? `${JSON.stringify(merged, null, 2)}\n` : `${renderMergedText(merged)}\n`);
    if (!complete)
      throw new DataStormError(
        'RUN_INCOMPLETE',
        `run ${runId}: ${merged.finished} of ${merged.instances} instance(s) finished within --wait ${waitSec} s`,
      );
    return 0;
  } finally {
    redis.disconnect();
  }
}

/**
 * The run's records now, or with --wait once every instance finished (complete: false when the wait ran out); a run
 * that failed at its barrier is its error.
 */
async function recordsOf(
  redis: Redis,
  runId: string,
  waitSec: number | undefined,
): Promise<{ records: InstanceRecord[]; complete: boolean }> {
  const { readInstanceRecords } = await import('../coord/instance-records.js');
  const { runFailure } = await import('../coord/instances.js');
  const { finishedInstances } = await import('../report/merged-report.js');
  const deadline = Date.now() + (waitSec ?? 0) * 1000;
  for (;;) {
    const failure = await runFailure(redis, runId);
    if (failure) throw new DataStormError('RUN_INCOMPLETE', failure);
    const records = await readInstanceRecords(redis, runId);
    const complete = records.length > 0 && finishedInstances(records) >= records[0].instances;
    if (waitSec === undefined || complete || Date.now() >= deadline) {
      if (records.length === 0)
        throw new DataStormError(
          waitSec === undefined ? 'INVALID_OPTION' : 'RUN_INCOMPLETE',
          `run ${runId}: no instance of it published anything in this Redis` +
            `${waitSec === undefined ? ' (a run of --instances, on this --redis?)' : ` within --wait ${waitSec} s`}`,
        );
      return { records, complete: waitSec === undefined || complete };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Writes an HTML report; when the file cannot be written, the report still reaches stdout as text, then the error. */
function writeHtml(file: string, html: string, text: () => string): void {
  try {
    fs.writeFileSync(file, html);
  } catch (e) {
    process.stdout.write(`${text()}\n`);
    throw wrapError('OUTPUT', `--html ${file}: cannot write it (${(e as Error).message})`, e);
  }
  process.stderr.write(`report: ${file}\n`);
}
