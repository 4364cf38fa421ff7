/**
 * ---- TEST HOOKS: fault injection for the integration suite, nothing a user sets. ----
 * Every hook is read here, once, from an environment variable the tests set, so a reader finds them all in one place
 * and production code names each by a constant instead of reading the environment itself.
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * DATASTORM_PULSE_CRASH_BEFORE_COMMIT=1: a pulse child dies (exit 86) after InfluxDB acknowledged a write and before
 * it commits the offsets, once per pulse run (a marker file named after the primary is the run's memory across the
 * restart). Proves that commits follow writes and that the replay does not double-count.
 */
export function crashBeforeCommitOnce(): void {
  if (!process.env.DATASTORM_PULSE_CRASH_BEFORE_COMMIT) return;
  const marker = path.join(os.tmpdir(), `datastorm-pulse-crash-${process.ppid}`);
  if (existsSync(marker)) return;
  writeFileSync(marker, String(process.pid));
  process.exit(86);
}
