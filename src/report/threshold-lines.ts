/**
 * A run's thresholds as text, one line each with the figure's exact value and ✓/✗, and as the cases a CI report
 * lists (JUnit test cases, the Markdown summary's rows): one per threshold, and per check a command makes itself.
 */
import { formatValue, type ThresholdOutcome, type ThresholdResult } from '../thresholds/threshold.js';

/** One pass/fail line of a CI report. */
export interface GateCase {
  name: string;
  /** What was judged: 'threshold', or the command's own 'check' (verify's). */
  kind: string;
  passed: boolean;
  /** The figure and its value, or what the check found. */
  detail: string;
}

const resultDetail = (r: ThresholdResult) => `${r.figure} ${formatValue(r.value, r.unit)}`;

export function thresholdCases(outcome: ThresholdOutcome | undefined): GateCase[] {
  return (outcome?.results ?? []).map((r) => ({
    name: r.expr,
    kind: 'threshold',
    passed: r.passed,
    detail:
      outcome?.aborted?.expr === r.expr
        ? `${resultDetail(r)} at the end; it stopped the run at ${outcome.aborted.atSec} s, having failed every ` +
          `second for ${outcome.aborted.failingSec} s`
        : resultDetail(r),
  }));
}

/** The text report's lines: a heading with the count, then one line per case, aligned. */
export function gateLines(cases: readonly GateCase[]): string[] {
  if (cases.length === 0) return [];
  const failed = cases.filter((c) => !c.passed).length;
  const width = Math.min(40, Math.max(...cases.map((c) => c.name.length)));
  const heading = failed === 0 ? `all ${cases.length} passed` : `${failed} of ${cases.length} FAILED`;
  return [
    `thresholds:    ${heading}`,
    ...cases.map((c) => `  ${c.passed ? '✓' : '✗'} ${c.name.padEnd(width)}  ${c.detail}`),
  ];
}
