/**
 * A host whose clock is off, for one process tree: loaded with `NODE_OPTIONS=--import <this file>` (shiftedClockEnv),
 * every wall-clock reading JavaScript makes (Date.now(), new Date(), performance.timeOrigin) runs `shiftMs` off; the
 * monotonic clock (performance.now(), timers) does not, as on a real host. Not libfaketime: it stretches or cuts
 * librdkafka's timed waits by the offset (measured here: a failed connect took 30 s longer at +30 s, and at -30 s
 * metadata requests timed out), which would test libfaketime rather than DataStorm.
 */
import { pathToFileURL } from 'node:url';

const SHIFT_ENV = 'DATASTORM_TEST_CLOCK_SHIFT_MS';

export const shiftedClockEnv = (shiftMs: number) => ({
  NODE_OPTIONS: `--import ${pathToFileURL(import.meta.filename).href}`,
  [SHIFT_ENV]: String(shiftMs),
});

const shift = Number(process.env[SHIFT_ENV] ?? 0);
if (shift) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(realNow() + shift);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return realNow() + shift;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  const origin = performance.timeOrigin + shift;
  Object.defineProperty(performance, 'timeOrigin', { get: () => origin });
}
