/** Flags about output only, the same for every command: the engines never see them. */
export const outputFlags = {
  json: { type: 'boolean', default: false, describe: 'the final report as JSON on stdout' },
  quiet: { type: 'boolean', default: false, describe: 'no progress on stderr' },
} as const;
