#!/usr/bin/env node
/** The datastorm command line: parses flags, calls the engine, maps typed errors to one line and an exit code. */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isDataStormError } from '../errors.js';
import { dashboardCommand, dashboardCommandFlags } from './dashboard.js';
import { pulseCommand, pulseCommandFlags } from './pulse.js';
import { reportCommand, reportCommandFlags } from './report.js';
import { stormCommand, stormCommandFlags } from './storm.js';
import { verifyCommand, verifyCommandFlags } from './verify.js';

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

async function main(): Promise<void> {
  let exitCode = 0;
  await skipHelpCache(yargs(hideBin(process.argv)))
    .scriptName('datastorm')
    .command(
      'storm',
      'flood a Kafka cluster with Avro tweets and report what the brokers acknowledged',
      stormCommandFlags,
      async (a) => {
        exitCode = await stormCommand(a);
      },
    )
    .command(
      'pulse',
      'consume the tweets into InfluxDB (a consumer group, one child per core)',
      pulseCommandFlags,
      async (a) => {
        exitCode = await pulseCommand(a);
      },
    )
    .command(
      'verify',
      'read a topic back: loss, duplicates and order per producer, end-to-end latency',
      verifyCommandFlags,
      async (a) => {
        exitCode = await verifyCommand(a);
      },
    )
    .command(
      'dashboard',
      "serve a run's live dashboard from outside (its Redis counters) with BrandPulse",
      dashboardCommandFlags,
      async (a) => {
        exitCode = await dashboardCommand(a);
      },
    )
    .command('report <file>', 'render a saved storm report as text or one HTML file', reportCommandFlags, async (a) => {
      exitCode = await reportCommand(a);
    })
    .demandCommand(1, 'a command is needed: storm, pulse, verify, report or dashboard')
    .strict()
    .parserConfiguration({ 'duplicate-arguments-array': false }) // a repeated flag: the last one wins
    .fail((msg, err) => {
      if (err) throw err;
      fail([`${msg.split('\n')[0]} (see 'datastorm --help')`], 2);
    })
    .help()
    .version(false)
    .parseAsync();
  process.exit(exitCode);
}

main().catch((e: unknown) => {
  if (isDataStormError(e)) fail(e.problems, e.exitCode);
  fail([`unexpected: ${(e as Error)?.message ?? String(e)} (set DATASTORM_LOG=debug for more)`], 70);
});
