/**
 * A host whose clock is off, or steps, for one process tree: loaded with `NODE_OPTIONS=--import <this file>`
 * (shiftedClockEnv, steppedClockEnv), every wall-clock reading JavaScript makes (Date.now(), new Date(),
 * performance.timeOrigin) runs `shiftMs` off, or jumps by `stepMs` at an instant; the
 * monotonic clock (performance.now(), timers) does not, as on a real host. Not libfaketime: it stretches or cuts
 * librdkafka's timed waits by the offset (measured here: a failed connect took 30 s longer at +30 s, and at -30 s
 * metadata requests timed out), which would test libfaketime rather than DataStorm.
 */
import { pathToFileURL } from 'node:url';

const SHIFT_ENV = 'DATASTORM_TEST_CLOCK_SHIFT_MS';
const STEP_ENV = 'DATASTORM_TEST_CLOCK_STEP';

export const shiftedClockEnv = (shiftMs: number) => ({
  NODE_OPTIONS: `--import ${pathToFileURL(import.meta.filename).href}`,
  [SHIFT_ENV]: String(shiftMs),
});

/**
 * A clock that steps by `stepMs` at the real instant `atMs` (as NTP or a person setting it would), in every process
 * of the tree alike; a process started after the step starts on the stepped clock.
 */
export const steppedClockEnv = (atMs: number, stepMs: number) => ({
  NODE_OPTIONS: `--import ${pathToFileURL(import.meta.filename).href}`,
  [STEP_ENV]: `${atMs}:${stepMs}`,
});

const shift = Number(process.env[SHIFT_ENV] ?? 0);
const [stepAt, stepBy] = (process.env[STEP_ENV] ?? '0:0').split(':').map(Number);
if (shift || stepBy) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const off = (real: number) => shift + (stepBy && real >= stepAt ? stepBy : 0);
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(realNow() + off(realNow()));
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      const real = realNow();
      return real + off(real);
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  const origin = performance.timeOrigin + off(performance.timeOrigin);
  Object.defineProperty(performance, 'timeOrigin', { get: () => origin });
}
