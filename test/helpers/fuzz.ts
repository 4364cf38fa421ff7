/**
 * Generated-input tests share their settings: a fixed seed and each surface's own modest count in `npm test`;
 * `make fuzz` multiplies every count by DATASTORM_FUZZ_SCALE, draws a new DATASTORM_FUZZ_SEED and sets
 * DATASTORM_FUZZ_LOG to collect one line per surface: how many inputs it took and what it saw.
 */
import fs from 'node:fs';

const FIXED_SEED = 2411;

export function fuzzSettings(defaultRuns: number): { seed: number; runs: number } {
  const scale = Number(process.env.DATASTORM_FUZZ_SCALE ?? 1);
  const seed = Number(process.env.DATASTORM_FUZZ_SEED ?? FIXED_SEED);
  return { seed, runs: Number.isInteger(scale) && scale > 0 ? defaultRuns * scale : defaultRuns };
}

export function reportFuzz(surface: string, inputs: number, found: string): void {
  const seed = process.env.DATASTORM_FUZZ_SEED ?? FIXED_SEED;
  const line = `${surface}: ${inputs} inputs (seed ${seed}), nothing lost; ${found}\n`;
  if (process.env.DATASTORM_FUZZ_LOG) fs.appendFileSync(process.env.DATASTORM_FUZZ_LOG, line);
}
