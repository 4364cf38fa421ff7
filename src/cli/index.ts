#!/usr/bin/env node
/**
 * The datastorm command line: parses flags, calls the engine, maps typed errors to one line and an exit code. A
 * command's module (and its engine) is loaded only when that command runs.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InvalidOptionsError, isDataStormError } from '../errors.js';
import { PACKAGE_VERSION } from '../package-root.js';
import { NOT_A_FLAG } from '../scenario/scenario-file.js';
import {
  dashboardCommandFlags,
  pulseCommandFlags,
  reportCommandFlags,
  stormCommandFlags,
  verifyCommandFlags,
} from './flags.js';
import { hideSecretArguments } from './hide-secrets.js';
import {
  DASHBOARD_REFUSALS,
  PULSE_REFUSALS,
  REPORT_REFUSALS,
  type Refusals,
  refusedFlagProblems,
  VERIFY_REFUSALS,
} from './output-flags.js';

function fail(lines: string[], code: number): never {
  for (const l of lines) process.stderr.write(`datastorm: error: ${l}\n`);
  process.exit(code);
}

/**
 * yargs renders a command's whole help text (wrapped, measured) as it runs the command, to show it on a later failure;
 * DataStorm's failures are one line (fail() below), never the help, and that rendering costs every run ~0.1 s of CPU.
 */
function skipHelpCache(y: Argv): Argv {
  const usage = (
    y as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }
  )
    .getInternalMethods?.()
    ?.getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
  return y;
}

/** Flags that may be given several times (-X, --threshold): every value counts. */
const REPEATABLE = new Set(['X', 'threshold']);

/** Any other flag given twice: the last one wins, as on most command lines. */
function lastOneWins(argv: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(argv))
    if (Array.isArray(value) && name !== '_' && !REPEATABLE.has(name)) argv[name] = value[value.length - 1];
}

const COMMANDS = ['storm', 'pulse', 'verify', 'dashboard', 'report'];

/** yargs' refusal in DataStorm's words: an unknown flag is told as a scenario file's unknown key is. */
function yargsProblems(line: string): string[] {
  const unknown = /^Unknown arguments?: (.+)$/.exec(line);
  const command = COMMANDS.find((c) => c === hideBin(process.argv)[0]);
  if (!unknown || !command) return [`${line} (see 'datastorm --help')`];
  return unknown[1].split(', ').map((a) => `${a.length === 1 ? '-' : '--'}${a} ${NOT_A_FLAG(command)}`);
}

/** A common flag this command does not take, with why (cli/output-flags.ts). */
function refuse(flags: Record<string, unknown>, refusals: Refusals): void {
  const problems = refusedFlagProblems(flags, refusals);
  if (problems.length) throw new InvalidOptionsError(problems);
}

async function main(): Promise<void> {
  hideSecretArguments(hideBin(process.argv));
  let exitCode = 0;
  await skipHelpCache(yargs(hideBin(process.argv)))
    .scriptName('datastorm')
    .command(
      'storm',
      'flood a Kafka cluster with Avro tweets and report what the brokers acknowledged',
      stormCommandFlags,
      async (flags) => {
        exitCode = await (await import('./storm.js')).stormCommand(flags);
      },
    )
    .command(
      'pulse',
      'consume the tweets into InfluxDB (a consumer group, one child per core)',
      pulseCommandFlags,
      async (flags) => {
        refuse(flags, PULSE_REFUSALS);
        exitCode = await (await import('./pulse.js')).pulseCommand(flags);
      },
    )
    .command(
      'verify',
      'read a topic back: loss, duplicates and order per producer, end-to-end latency',
      verifyCommandFlags,
      async (flags) => {
        refuse(flags, VERIFY_REFUSALS);
        exitCode = await (await import('./verify.js')).verifyCommand(flags);
      },
    )
    .command(
      'dashboard',
      "serve a run's live dashboard from outside (its Redis counters) with BrandPulse",
      dashboardCommandFlags,
      async (flags) => {
        refuse(flags, DASHBOARD_REFUSALS);
        exitCode = await (await import('./dashboard.js')).dashboardCommand(flags);
      },
    )
    .command(
      'report [file]',
      "render a saved storm report as text or one HTML file, or (--run-id) a run's merged report from Redis",
      reportCommandFlags,
      async (flags) => {
        refuse(flags, REPORT_REFUSALS);
        exitCode = await (await import('./report.js')).reportCommand(flags);
      },
    )
    .demandCommand(1, 'a command is needed: storm, pulse, verify, report or dashboard')
    .strict()
    .middleware(lastOneWins, true)
    .fail((msg, err) => {
      if (err) throw err;
      fail(yargsProblems(msg.split('\n')[0]), 2);
    })
    .help()
    .version(PACKAGE_VERSION)
    .parseAsync();
  process.exit(exitCode);
}

// A command that waits on something that never answers would otherwise end with exit 0 and no report when nothing
// else keeps Node running: say so and fail instead.
process.on('beforeExit', () =>
  fail(['internal: the command stopped waiting on an answer that will never come (DATASTORM_LOG=debug for more)'], 70),
);

main().catch((e: unknown) => {
  if (isDataStormError(e)) fail(e.problems, e.exitCode);
  fail([`unexpected: ${(e as Error)?.message ?? String(e)} (set DATASTORM_LOG=debug for more)`], 70);
});
