/** The embedded default: start (or reuse) the local Kafka cluster through kafka-cluster/cluster.sh. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DataStormError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';

export const ROOT = PACKAGE_ROOT;

/** Runs `cluster.sh up --brokers N`; resolves with the bootstrap list (its last line). Its progress goes to stderr. */
export function startLocalCluster(brokers: number, quiet: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'kafka-cluster/cluster.sh'), 'up', '--brokers', String(brokers)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (!quiet) process.stderr.write(d);
    });
    child.on('close', (code) => {
      if (code === 0) return resolve(out.trim().split('\n').pop() ?? '');
      const line = err.split('\n').find((l) => l.includes('error:')) ?? `cluster.sh exited ${code}`;
      reject(
        new DataStormError(
          'CLUSTER',
          `could not start the local ${brokers}-broker cluster: ${line.replace(/^cluster\.sh: error: /, '')}`,
        ),
      );
    });
  });
}

/** The running local cluster's bootstrap list (for commands given no --bootstrap); KAFKA_UNREACHABLE when none runs. */
export function localBootstrap(): string {
  const r = spawnSync('bash', [path.join(ROOT, 'kafka-cluster/cluster.sh'), 'bootstrap'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new DataStormError(
      'KAFKA_UNREACHABLE',
      'no --bootstrap given and no local cluster is running (start one with a storm, or kafka-cluster/cluster.sh up)',
    );
  return r.stdout.trim();
}

/**
 * The operator token of an InfluxDB that scripts/influxdb.sh started on this machine for this URL (its run folder keeps
 * it, mode 600), or undefined when the URL is not such a local instance.
 */
export function localInfluxToken(url: string): string | undefined {
  const m = /^https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/?$/.exec(url);
  if (!m) return undefined;
  const file = path.join(process.env.DATASTORM_STATE ?? path.join(ROOT, '.run'), `influxdb-${m[1]}`, 'token');
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
