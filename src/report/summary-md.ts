/**
 * --summary-md FILE: a Markdown summary a CI job can post (a pull-request comment, $GITHUB_STEP_SUMMARY): the verdict,
 * the run's headline figures, and each threshold or check with ✅/❌. Values from the user or the data (topic names,
 * expressions) are escaped so that they stay text in a rendered comment.
 */
import type { GateCase } from './threshold-lines.js';

export interface MarkdownSummary {
  title: string;
  /** Headline figures, label → value, as the text report words them. */
  figures: [string, string][];
  cases: readonly GateCase[];
  /** Why the run ended unlike a pass, when it did (a failure, a stop); shown under the verdict. */
  ended?: string;
}

/** Markdown's and HTML's active characters, escaped; table cells lose their line breaks and pipes. */
const text = (s: string) => s.replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');

export function renderSummaryMd(summary: MarkdownSummary): string {
  const failed = summary.cases.filter((c) => !c.passed).length;
  const verdict =
    summary.cases.length === 0
      ? 'no thresholds set'
      : failed === 0
        ? `✅ all ${summary.cases.length} passed`
        : `❌ ${failed} of ${summary.cases.length} failed`;
  const lines = [`### ${text(summary.title)}`, '', `**${verdict}**`];
  if (summary.ended) lines.push('', text(summary.ended));
  if (summary.cases.length)
    lines.push(
      '',
      '| | check | value |',
      '|---|---|---|',
      ...summary.cases.map(
        (c) => `| ${c.passed ? '✅' : '❌'} | \`${c.name.replace(/[`|]/g, '')}\` | ${text(c.detail)} |`,
      ),
    );
  lines.push('', '| figure | value |', '|---|---|', ...summary.figures.map(([k, v]) => `| ${text(k)} | ${text(v)} |`));
  return `${lines.join('\n')}\n`;
}
