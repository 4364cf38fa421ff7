/**
 * Stages (--stages "30s:0-200k,60s:200k,10s:600k,30s:0"): each stage is DURATION:RATE or DURATION:FROM-TO.
 *   - D:A-B ramps from A to B over D (A = B holds; a jump to A when the previous stage ended elsewhere: a step);
 *   - D:R ramps from where the previous stage ended to R (k6's targets): equal holds, higher ramps up, 0 ramps down;
 *     the first stage has no previous rate and holds R.
 * The run lasts the stages' total; 0s stages are allowed (an instant step).
 */
import type { Segment } from './schedule.js';
import { formatSec, type RateShape } from './shape.js';
import { DURATION_FORMAT, formatRate, parseDuration, parseRate, RATE_FORMAT } from './units.js';

export const STAGES_FORMAT = 'comma-separated stages DURATION:RATE or DURATION:FROM-TO, e.g. 30s:0-200k,60s:200k,30s:0';

/** The shape, or every problem with the stages (each naming the stage). */
export function parseStages(spec: string, flag = '--stages'): { shape?: RateShape; problems: string[] } {
  const problems: string[] = [];
  const segments: Extract<Segment, { kind: 'linear' }>[] = [];
  const items = spec.split(',').map((s) => s.trim());
  let previous: number | undefined;
  for (const [i, item] of items.entries()) {
    const m = /^([^:]+):([^-]+)(?:-(.+))?$/.exec(item);
    const where = `${flag} stage ${i + 1} '${item}'`;
    if (!m) {
      problems.push(`${where} must be DURATION:RATE or DURATION:FROM-TO (${STAGES_FORMAT})`);
      continue;
    }
    const sec = parseDuration(m[1]);
    const a = parseRate(m[2]);
    const b = m[3] === undefined ? undefined : parseRate(m[3]);
    if (!Number.isFinite(sec)) problems.push(`${where}: duration must be ${DURATION_FORMAT}`);
    if (!Number.isFinite(a) || (b !== undefined && !Number.isFinite(b)))
      problems.push(`${where}: rate must be ${RATE_FORMAT}`);
    if (problems.length) continue;
    const [from, to] = b !== undefined ? [a, b] : [previous ?? a, a];
    segments.push({ kind: 'linear', durationMs: sec * 1000, from, to });
    previous = to;
  }
  const totalMs = segments.reduce((x, g) => x + g.durationMs, 0);
  if (!problems.length && totalMs <= 0) problems.push(`${flag} must last longer than 0s in all (got '${spec}')`);
  if (!problems.length && segments.every((g) => g.from === 0 && g.to === 0))
    problems.push(`${flag} must schedule some messages: every stage is at rate 0 (got '${spec}')`);
  if (problems.length) return { problems };
  return { problems, shape: { name: 'stages', schedule: { segments }, description: describeStages(segments) } };
}

function describeStages(segments: Extract<Segment, { kind: 'linear' }>[]): string {
  const parts = segments.map((g) => {
    const d = formatSec(g.durationMs / 1000);
    return g.from === g.to
      ? `${formatRate(g.from)}/s for ${d}`
      : `${formatRate(g.from)}→${formatRate(g.to)}/s over ${d}`;
  });
  const total = segments.reduce((x, g) => x + g.durationMs, 0) / 1000;
  return `stages: ${parts.join(', ')} (${formatSec(total)})`;
}
