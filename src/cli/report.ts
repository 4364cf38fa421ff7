/**
 * `datastorm report RUN.json [--html FILE]`: renders a saved storm report as text, or as one HTML file.
 * `datastorm report --run-id RUN [--redis URL] [--json]`: the merged report of a run of several instances, from what
 * they published in Redis, at any time during or after the run.
 */
import fs from 'node:fs';
import { DataStormError, InvalidOptionsError } from '../errors.js';
import { renderStormHtml } from '../report/html-report.js';
import { renderStormText, type StormReport, withScenarioDefaults } from '../report/storm-report.js';

interface ReportFlags {
  file?: string;
  html?: string;
  'run-id'?: string;
  redis?: string;
  'redis-ca'?: string;
  json?: boolean;
}

export async function reportCommand(flags: ReportFlags): Promise<number> {
  if (flags['run-id'] !== undefined) return mergedReportCommand(flags);
  if (!flags.file) throw new InvalidOptionsError(['report needs the JSON file of a storm report, or --run-id RUN']);
  let r: StormReport;
  try {
    r = JSON.parse(fs.readFileSync(flags.file, 'utf8')) as StormReport;
  } catch (e) {
    throw new DataStormError(
      'INVALID_OPTION',
      `report ${flags.file}: cannot read it as JSON (${(e as Error).message})`,
    );
  }
  if (typeof r?.runId !== 'string' || !Array.isArray(r.timeline))
    throw new DataStormError('INVALID_OPTION', `report ${flags.file}: not a storm report (no runId and timeline)`);
  r = withScenarioDefaults(r);
  if (flags.html) {
    fs.writeFileSync(flags.html, renderStormHtml(r));
    process.stderr.write(`report: ${flags.html}\n`);
  } else process.stdout.write(`${renderStormText(r)}\n`);
  return 0;
}

async function mergedReportCommand(flags: ReportFlags): Promise<number> {
  const runId = String(flags['run-id']);
  const problems: string[] = [];
  if (flags.file) problems.push(`report takes a file or --run-id, not both (got '${flags.file}' and '${runId}')`);
  if (flags.html) problems.push('--html renders a saved report file; with --run-id use --json or the text');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(runId))
    problems.push(`--run-id must be 1-64 letters, digits, '.', '_' or '-' (got '${runId}')`);
  if (problems.length) throw new InvalidOptionsError(problems);
  const { connectRedis } = await import('../coord/redis.js');
  const { readInstanceRecords } = await import('../coord/instance-records.js');
  const { mergeInstanceRecords, renderMergedText } = await import('../report/merged-report.js');
  const redis = await connectRedis(String(flags.redis), flags['redis-ca']);
  try {
    const records = await readInstanceRecords(redis, runId);
    if (records.length === 0)
      throw new DataStormError(
        'INVALID_OPTION',
        `run ${runId}: no instance of it published anything in this Redis (a run of --instances, on this --redis?)`,
      );
    const merged = mergeInstanceRecords(runId, records);
    process.stdout.write(flags.json ? `${JSON.stringify(merged, null, 2)}\n` : `${renderMergedText(merged)}\n`);
    return 0;
  } finally {
    redis.disconnect();
  }
}
