/**
 * Every command's flags, as yargs takes them. Apart from the commands themselves so that parsing a command line loads
 * only the options modules; a command's engine (and its libraries) loads when that command runs (cli/index.ts).
 */
import type { Argv } from 'yargs';
import { influxFlags } from '../influx/influx-options.js';
import { clientConfigFlags } from '../kafka/client-config.js';
import { pulseFlags } from '../pulse/options.js';
import { dashboardFlags } from '../serve/options.js';
import { stormFlags } from '../storm/options.js';
import { verifyFlags } from '../verify/options.js';
import {
  DASHBOARD_REFUSALS,
  gateFlags,
  outputFlags,
  PULSE_REFUSALS,
  REPORT_REFUSALS,
  refusedFlags,
  VERIFY_REFUSALS,
} from './output-flags.js';

export const stormCommandFlags = (y: Argv) =>
  y
    .options(stormFlags)
    .options(dashboardFlags)
    .options(influxFlags)
    .options({
      ...outputFlags,
      save: { type: 'boolean', default: true, describe: 'save the report under benchmarks/results/storms/' },
      html: { type: 'string', describe: 'also write the report as one self-contained HTML file' },
      ...gateFlags,
    });

export const pulseCommandFlags = (y: Argv) =>
  y
    .options(pulseFlags)
    .options(dashboardFlags)
    .options(outputFlags)
    .options(gateFlags)
    .options(refusedFlags(PULSE_REFUSALS));

export const verifyCommandFlags = (y: Argv) =>
  y
    .options(verifyFlags)
    .options({ json: { type: 'boolean', default: false, describe: 'the report as JSON on stdout' } })
    .options(gateFlags)
    .options(refusedFlags(VERIFY_REFUSALS));

export const dashboardCommandFlags = (y: Argv) =>
  y.options(dashboardFlags).options({
    'run-id': { type: 'string', demandOption: true, describe: 'the storm run to watch (its --run-id)' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379', describe: 'the Redis the run uses' },
    'redis-ca': stormFlags['redis-ca'],
    bootstrap: { type: 'string', describe: 'Kafka, for the pulse group lag (default: the running local cluster)' },
    topic: { type: 'string', default: 'tweets', describe: 'the storm topic pulse reads' },
    ...clientConfigFlags,
    ...influxFlags,
    ...refusedFlags(DASHBOARD_REFUSALS),
  });

export const reportCommandFlags = (y: Argv) =>
  y
    .positional('file', { type: 'string', describe: 'a saved storm report (benchmarks/results/storms/*.json)' })
    .options({
      html: { type: 'string', describe: 'write it as one self-contained HTML file' },
      'run-id': {
        type: 'string',
        describe: 'instead of a file: the merged report of a run of --instances, from Redis, during or after it',
      },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379', describe: 'with --run-id: the Redis the run uses' },
      'redis-ca': stormFlags['redis-ca'],
      json: { type: 'boolean', default: false, describe: 'with --run-id: the merged report as JSON' },
      wait: {
        type: 'string',
        describe: 'with --run-id: wait up to this many seconds for every instance to finish (exit 4 if not)',
      },
      ...refusedFlags(REPORT_REFUSALS),
    });
