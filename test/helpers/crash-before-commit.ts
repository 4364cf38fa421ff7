/**
 * Fault injection for pulse's exactness test, loaded into every process of a pulse run with
 * `NODE_OPTIONS=--import <this file>` (crashBeforeCommitEnv): a pulse child dies (exit 86) at its first commit, which
 * pulse makes only after InfluxDB acknowledged the flush it covers, so the death falls between the acknowledgement
 * and the commit. Once per pulse run: a marker file named after the primary is the run's memory across the restart.
 * It wraps the native addon's commit: the child runs from its bundle, whose classes are its own copies, but the addon
 * is one module per process, which this hook, loaded first, puts in the require cache wrapped.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NativeAddon } from '../../src/kafka/native/addon.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { PULSE_CHILD_ENV } from '../../src/pulse/protocol.js';

export const CRASH_EXIT_CODE = 86;

/** The environment that loads this hook into a pulse run. */
export const crashBeforeCommitEnv = () => ({ NODE_OPTIONS: `--import ${pathToFileURL(import.meta.filename).href}` });

if (process.env[PULSE_CHILD_ENV]) {
  const require = createRequire(import.meta.url);
  const file = require.resolve(path.join(PACKAGE_ROOT, 'native/build/Release/datastorm_native.node'));
  const native = require(file) as NativeAddon;
  const commit = native.consumerCommit;
  // The addon's own properties are read-only: the wrapper inherits them and has its own commit.
  const wrapped = Object.create(native) as NativeAddon;
  Object.defineProperty(wrapped, 'consumerCommit', {
    value: (...args: Parameters<typeof commit>): Promise<void> => {
      const marker = path.join(os.tmpdir(), `datastorm-pulse-crash-${process.ppid}`);
      if (args[1].length > 0 && !existsSync(marker)) {
        writeFileSync(marker, String(process.pid));
        process.exit(CRASH_EXIT_CODE);
      }
      return commit.apply(native, args);
    },
  });
  (require.cache[file] as NodeJS.Module).exports = wrapped;
}
