/**
 * `datastorm dashboard --run-id ID`: the dashboard for a run watched from outside (its Redis counters: every process
 * of the run), with BrandPulse beside it; serves until Ctrl-C.
 */
import type { Argv } from 'yargs';
import { connectRedis } from '../coord/redis.js';
import { localBootstrap } from '../local/services.js';
import { OptionChecks, type RawFlags, validOrThrow } from '../option-checks.js';
import { pulseFlags, tokenFromFlags } from '../pulse/options.js';
import { DEFAULT_DASHBOARD_PORT, dashboardFlags, parseDashboardOptions } from '../serve/options.js';
import { RunWatcher } from '../serve/run-watcher.js';

export const dashboardCommandFlags = (y: Argv) =>
  y.options(dashboardFlags).options({
    'run-id': { type: 'string', demandOption: true, describe: 'the storm run to watch (its --run-id)' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379', describe: 'the Redis the run uses' },
    bootstrap: { type: 'string', describe: 'Kafka, for the pulse group lag (default: the running local cluster)' },
    topic: { type: 'string', default: 'tweets', describe: 'the storm topic pulse reads' },
    'influx-url': pulseFlags['influx-url'],
    'influx-org': pulseFlags['influx-org'],
    'influx-bucket': pulseFlags['influx-bucket'],
    'influx-token': pulseFlags['influx-token'],
  });

export async function dashboardCommand(a: RawFlags): Promise<number> {
  const c = new OptionChecks();
  const bootstrap = c.bootstrap(a.bootstrap);
  const topic = c.topic(a.topic) ?? 'tweets';
  const dash = parseDashboardOptions({ ...a, dashboard: a.dashboard ?? String(DEFAULT_DASHBOARD_PORT) }, c, {
    url: String(a['influx-url']),
    org: String(a['influx-org']),
    bucket: String(a['influx-bucket']),
    token: tokenFromFlags(a),
  });
  validOrThrow({ request: true, problems: c.problems });
  if (!dash) return 2;
  const redis = await connectRedis(String(a.redis));
  const watcher = new RunWatcher(redis, String(a['run-id']));
  const served = await (await import('../serve/attach.js')).serveRun(watcher, dash, {
    title: `DataStorm run ${String(a['run-id'])}`,
    kind: 'storm',
    bootstrap: bootstrap ?? localBootstrap(),
    topic,
  });
  process.stderr.write(`dashboard: ${served.url} (Ctrl-C to stop)\n`);
  watcher.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  watcher.stop();
  await served.finish({});
  redis.disconnect();
  return 0;
}
