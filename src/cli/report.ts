/** `datastorm report RUN.json [--html FILE]`: renders a saved storm report as text, or as one HTML file. */
import fs from 'node:fs';
import { DataStormError, InvalidOptionsError } from '../errors.js';
import { renderStormHtml } from '../report/html-report.js';
import { renderStormText, type StormReport, withScenarioDefaults } from '../report/storm-report.js';

export async function reportCommand(flags: { file?: string; html?: string }): Promise<number> {
  if (!flags.file) throw new InvalidOptionsError(['report needs the JSON file of a storm report']);
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
