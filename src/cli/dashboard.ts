/**
 * `datastorm dashboard --run-id ID`: the dashboard for a run watched from outside (its Redis counters: every process
 * of the run), with BrandPulse beside it; serves until Ctrl-C.
 */
import { connectRedis } from '../coord/redis.js';
import { localBootstrap } from '../local/services.js';
import { OptionChecks, type RawFlags, validOrThrow } from '../option-checks.js';
import { tokenFromFlags } from '../pulse/options.js';
import { DEFAULT_DASHBOARD_PORT, parseDashboardOptions } from '../serve/options.js';
import { RunWatcher } from '../serve/run-watcher.js';

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
