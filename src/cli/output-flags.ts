import type { Options as FlagSpec } from 'yargs';

/** Flags about output only, the same for every command: the engines never see them. */
export const outputFlags = {
  json: { type: 'boolean', default: false, describe: 'the final report as JSON on stdout' },
  quiet: { type: 'boolean', default: false, describe: 'no progress on stderr' },
} as const;

/** What a CI pipeline reads (cli/gate.ts writes them): storm, pulse and verify. */
export const gateFlags = {
  junit: {
    type: 'string',
    describe: 'write JUnit XML: one test case per threshold (and per verify check), for Jenkins, GitLab, GitHub',
  },
  'summary-md': { type: 'string', describe: 'write a Markdown summary of the run and its thresholds for a CI job' },
} as const satisfies Record<string, FlagSpec>;

/**
 * The flags a user expects of every command: each command takes those that mean something for it, and refuses the
 * others with why (never yargs' "Unknown argument"), so a script that passes them everywhere learns what they do.
 */
export type CommonFlag = 'quiet' | 'json' | 'save' | 'kafka-config' | 'X';
export type Refusals = Partial<Record<CommonFlag, string>>;

const HIDDEN: Record<CommonFlag, FlagSpec> = {
  quiet: { type: 'boolean', hidden: true },
  json: { type: 'boolean', hidden: true },
  save: { type: 'boolean', hidden: true },
  'kafka-config': { type: 'string', hidden: true },
  X: { type: 'string', array: true, hidden: true },
};

/**
 * The refused flags declared (hidden from --help), so that they reach the command to be refused with a reason. Typed
 * as no flags: yargs must not infer them into the command's own (typed) flags.
 */
export const refusedFlags = (refusals: Refusals): Record<never, FlagSpec> =>
  Object.fromEntries(Object.keys(refusals).map((flag) => [flag, HIDDEN[flag as CommonFlag]]));

/** One line for each refused flag given: `--save` / `--no-save` both for save. */
export function refusedFlagProblems(flags: Record<string, unknown>, refusals: Refusals): string[] {
  return Object.entries(refusals)
    .filter(([flag]) => flags[flag] !== undefined)
    .map(([flag, why]) => `${flag === 'save' ? '--save/--no-save' : flag === 'X' ? '-X' : `--${flag}`}: ${why}`);
}

export const PULSE_REFUSALS: Refusals = {
  save: 'pulse saves no report file: its report is what it prints (--json for JSON) and what is in InfluxDB',
};
export const VERIFY_REFUSALS: Refusals = {
  quiet: 'verify prints no progress, only its report and errors',
  save: 'verify saves no report file: its report is what it prints (--json for JSON)',
};
export const REPORT_REFUSALS: Refusals = {
  quiet: 'report prints the report and nothing else',
  save: 'report writes no file but the --html you name',
  'kafka-config': "report reads a saved report or a run's Redis, never Kafka",
  X: "report reads a saved report or a run's Redis, never Kafka",
};
export const DASHBOARD_REFUSALS: Refusals = {
  quiet: "dashboard prints only its page's address",
  json: 'dashboard serves pages and prints no report (report --run-id RUN --json does)',
  save: "dashboard saves nothing (report --run-id RUN prints the run's merged report)",
};
