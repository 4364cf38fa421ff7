/** Where every benchmark runs: its own local cluster (state and ports apart from the storm's and the tests'), Redis. */
import path from 'node:path';
import { ROOT } from '../../src/local/services.js';

export const CLI = path.join(ROOT, 'dist/src/cli/index.js');
export const CLUSTER = path.join(ROOT, 'kafka-cluster/cluster.sh');
/** cluster.sh's environment for the benchmark cluster; heap as the benchmark wants it. */
export const benchClusterEnv = (brokerHeap?: string): Record<string, string> => ({
  DATASTORM_KAFKA_HOME: path.join(ROOT, '.run/bench-cluster'),
  DATASTORM_KAFKA_PORT: '28092',
  DATASTORM_CONTROLLER_PORT: '28090',
  ...(brokerHeap ? { DATASTORM_BROKER_HEAP: brokerHeap } : {}),
});
export const BENCH_REDIS = process.env.DATASTORM_BENCH_REDIS ?? 'redis://127.0.0.1:6391';

/** A storm command line on the benchmark cluster and Redis, quiet and unsaved; `extra` says what the benchmark sets. */
export const stormArgs = (bootstrap: string, topic: string, extra: string[]): string[] => [
  CLI,
  'storm',
  '--bootstrap',
  bootstrap,
  '--redis',
  BENCH_REDIS,
  '--topic',
  topic,
  ...extra,
  '--quiet',
  '--no-save',
];
