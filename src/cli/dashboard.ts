/**
 * `datastorm dashboard --run-id ID`: the dashboard for a run watched from outside (its Redis counters: every process
 * of the run), with BrandPulse beside it; serves until Ctrl-C.
 */
import { connectRedis, redisCaProblem } from '../coord/redis.js';
import { influxFromFlags } from '../influx/influx-options.js';
import { parseKafkaTarget } from '../kafka/client-config.js';
import { localBootstrap } from '../local/services.js';
import { OptionChecks, type RawFlags, validOrThrow } from '../option-checks.js';
import { DEFAULT_DASHBOARD_PORT, parseDashboardOptions } from '../serve/options.js';
import { RunWatcher } from '../serve/run-watcher.js';

export async function dashboardCommand(flags: RawFlags): Promise<number> {
  const checks = new OptionChecks();
  const { bootstrap, client } = parseKafkaTarget(checks, flags);
  const topic = checks.topic(flags.topic) ?? 'tweets';
  const dash = parseDashboardOptions(
    { ...flags, dashboard: flags.dashboard ?? String(DEFAULT_DASHBOARD_PORT) },
    checks,
    influxFromFlags(checks, flags),
  );
  const redisCa = flags['redis-ca'] === undefined ? undefined : String(flags['redis-ca']);
  const caProblem = redisCa === undefined ? undefined : redisCaProblem(redisCa, String(flags.redis));
  if (caProblem) checks.add(caProblem);
  validOrThrow({ request: true, problems: checks.problems });
  if (!dash) return 2;
  const redis = await connectRedis(String(flags.redis), redisCa);
  const watcher = new RunWatcher(redis, String(flags['run-id']));
  const served = await (await import('../serve/attach.js')).serveRun(watcher, dash, {
    title: `DataStorm run ${String(flags['run-id'])}`,
    kind: 'storm',
    cluster: { bootstrap: bootstrap ?? localBootstrap(), client },
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
