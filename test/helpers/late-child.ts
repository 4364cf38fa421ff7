/**
 * Loaded into every process of a pulse run with `NODE_OPTIONS=--import <this file>` (lateChildEnv): pulse's second
 * child (slot 1) starts `ms` late, as a child slow to start on a loaded machine does. The first has then read the
 * topic alone and caught up when the second joins, and the group's rebalance moves partitions the first had written
 * whole to a child that reads them again from their open windows' start.
 */
import { pathToFileURL } from 'node:url';
import { PULSE_CHILD_ENV } from '../../src/pulse/protocol.js';
import type { ChildIdentity } from '../../src/supervisor.js';

const LATE_ENV = 'DATASTORM_TEST_LATE_CHILD_MS';

/** The environment that makes pulse's slot 1 start `ms` late. */
export const lateChildEnv = (ms: number) => ({
  NODE_OPTIONS: `--import ${pathToFileURL(import.meta.filename).href}`,
  [LATE_ENV]: String(ms),
});

const child = process.env[PULSE_CHILD_ENV];
if (child && (JSON.parse(child) as ChildIdentity).slot === 1)
  await new Promise((resolve) => setTimeout(resolve, Number(process.env[LATE_ENV])));
