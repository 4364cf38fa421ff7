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
