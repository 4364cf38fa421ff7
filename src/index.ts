/**
 * DataStorm as a library: the three engines and their options parsers. Each engine returns (or resolves to) its
 * report; storm() and pulse() return awaitable emitters ('phase', 'start', 'tick', 'restart', 'warning') with stop()
 * and observe() (an observer of every tick: src/run/run-engine.ts).
 *
 *   import { storm, parseStormOptions } from 'datastorm';
 *   const run = storm({ ...validOrThrow(parseStormOptions({ count: 1e6 })), bootstrap: 'kafka:9092' });
 *   run.on('tick', (t) => console.error(t.acked));
 *   const report = await run;
 *
 * Thresholds come with the options (`threshold: ['rate>=500k']`): the report carries their verdict (`thresholds`),
 * and renderJUnit() writes thresholdCases(report.thresholds) as a JUnit suite for a CI. Errors are DataStormError
 * with a stable `code` (errors.ts).
 */
export {
  DataStormError,
  type ErrorCode,
  ErrorCodes,
  exitOf,
  InvalidOptionsError,
  isDataStormError,
  wrapError,
} from './errors.js';
export { type RawFlags, validOrThrow } from './option-checks.js';
export { type PulseOptions, parsePulseOptions } from './pulse/options.js';
export { type PulseRun, pulse } from './pulse/primary.js';
export { type JUnitSuite, renderJUnit } from './report/junit.js';
export type { StormProgress } from './report/progress.js';
export type { PulseProgress, PulseReport } from './report/pulse-report.js';
export { renderStormText, type StormReport } from './report/storm-report.js';
export { thresholdCases } from './report/threshold-lines.js';
export { renderVerifyText, type VerifyReport } from './report/verify-report.js';
export type { Phase, PhaseMark, TickObserver } from './run/run-engine.js';
export { parseStormOptions, type StormOptions } from './storm/options.js';
export { type StormRun, storm } from './storm/primary.js';
export type { Threshold, ThresholdOutcome, ThresholdResult } from './thresholds/threshold.js';
export { parseVerifyOptions, type VerifyOptions } from './verify/options.js';
export { verify } from './verify/verify.js';
