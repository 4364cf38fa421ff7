/**
 * Fault injection for pulse's exactness test, loaded into every process of a pulse run with
 * `NODE_OPTIONS=--import <this file>` (crashBeforeCommitEnv): a pulse child dies (exit 86) at its first commit, which
 * pulse makes only after InfluxDB acknowledged the flush it covers, so the death falls between the acknowledgement
 * and the commit. Once per pulse run: a marker file named after the primary is the run's memory across the restart.
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchConsumer } from '../../src/kafka/native/batch-consumer.js';
import { PULSE_CHILD_ENV } from '../../src/pulse/protocol.js';

export const CRASH_EXIT_CODE = 86;

/** The environment that loads this hook into a pulse run. */
export const crashBeforeCommitEnv = () => ({ NODE_OPTIONS: `--import ${pathToFileURL(import.meta.filename).href}` });

if (process.env[PULSE_CHILD_ENV]) {
  const commit = BatchConsumer.prototype.commit;
  BatchConsumer.prototype.commit = function (this: BatchConsumer, offsets: Map<number, number>): Promise<void> {
    const marker = path.join(os.tmpdir(), `datastorm-pulse-crash-${process.ppid}`);
    if (offsets.size > 0 && !existsSync(marker)) {
      writeFileSync(marker, String(process.pid));
      process.exit(CRASH_EXIT_CODE);
    }
    return commit.call(this, offsets);
  };
}
