/**
 * What a CI pipeline gates on, the same for storm, pulse and verify: --junit FILE and --summary-md FILE, checked
 * before the run (a file name, in a directory that exists) and written after the report is out (a file that cannot
 * be written is the run's one error line, never a lost report), and the exit code when a threshold failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type DataStormError, exitOf, wrapError } from '../errors.js';
import type { OptionChecks, RawFlags } from '../option-checks.js';
import { type JUnitSuite, renderJUnit } from '../report/junit.js';
import { type MarkdownSummary, renderSummaryMd } from '../report/summary-md.js';
import type { GateCase } from '../report/threshold-lines.js';

const GATE_FILES = ['junit', 'summary-md'] as const;

/** Each gate file named: a file name whose directory exists and that is not itself a directory. */
export function checkGateFiles(checks: OptionChecks, flags: RawFlags): void {
  for (const flag of GATE_FILES) {
    const value = flags[flag];
    if (value === undefined) continue;
    const file = String(value);
    if (file.trim() === '') checks.add(`--${flag} needs a file name`);
    else if (isDirectory(file)) checks.add(`--${flag} ${file} is a directory; give a file name`);
    else if (!isDirectory(path.dirname(path.resolve(file))))
      checks.add(`--${flag} ${file}: its directory ${path.dirname(file)} does not exist`);
  }
}

const isDirectory = (p: string) => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export interface GateOutput {
  suite: JUnitSuite;
  summary: MarkdownSummary;
}

/** Writes the files asked for; the first that could not be written, as the run's error (its report is out). */
export function writeGateFiles(flags: RawFlags, output: GateOutput): DataStormError | undefined {
  const contents: Record<(typeof GATE_FILES)[number], () => string> = {
    junit: () => renderJUnit([output.suite]),
    'summary-md': () => renderSummaryMd(output.summary),
  };
  let problem: DataStormError | undefined;
  for (const flag of GATE_FILES) {
    if (flags[flag] === undefined) continue;
    const file = String(flags[flag]);
    try {
      fs.writeFileSync(file, contents[flag]());
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      problem ??= wrapError('OUTPUT', `--${flag} ${file}: cannot write it (${err.code ?? err.message})`, e);
    }
  }
  return problem;
}

/** 0 when every case passed, else the thresholds' exit code. */
export const gateExit = (cases: readonly GateCase[]) =>
  cases.every((c) => c.passed) ? 0 : exitOf('THRESHOLDS_FAILED');
