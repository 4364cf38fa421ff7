/**
 * Generated-input tests share their settings: a fixed seed and a modest count in `npm test`; `make fuzz` sets
 * DATASTORM_FUZZ_RUNS (and may set DATASTORM_FUZZ_SEED) for a longer campaign and DATASTORM_FUZZ_LOG to collect one
 * line per surface: how many inputs it took and what it saw.
 */
import fs from 'node:fs';

const FIXED_SEED = 2411;

export function fuzzSettings(defaultRuns: number): { seed: number; runs: number } {
  const runs = Number(process.env.DATASTORM_FUZZ_RUNS ?? defaultRuns);
  const seed = Number(process.env.DATASTORM_FUZZ_SEED ?? FIXED_SEED);
  return { seed, runs: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns };
}

export function reportFuzz(surface: string, inputs: number, found: string): void {
  const seed = process.env.DATASTORM_FUZZ_SEED ?? FIXED_SEED;
  const line = `${surface}: ${inputs} inputs (seed ${seed}), nothing lost; ${found}\n`;
  if (process.env.DATASTORM_FUZZ_LOG) fs.appendFileSync(process.env.DATASTORM_FUZZ_LOG, line);
}
