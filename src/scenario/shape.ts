/**
 * What every rate shape compiles to: a schedule (schedule.ts) and the one line printed at the start of a run. Each
 * shape lives in its own module with its defaults and its validation: constant.ts (--rate), stages.ts (--stages),
 * sine.ts (--sine), find-max.ts (--find-max).
 */
import type { Schedule } from './schedule.js';

export const SHAPES = ['unlimited', 'constant', 'stages', 'sine', 'find-max'] as const;
export type ShapeName = (typeof SHAPES)[number];

export interface RateShape {
  name: ShapeName;
  schedule: Schedule;
  /** One line: what the run will aim at, e.g. "stages: 0→200k/s over 30s, 200k/s for 60s (1m30s)". */
  description: string;
}

/** 90 → "1m30s", 0.5 → "500ms": durations as the flags take them. */
export function formatSec(sec: number): string {
  if (!Number.isFinite(sec)) return 'no end';
  if (sec < 1) return `${Math.round(sec * 1000)}ms`;
  const h = Math.floor(sec / 3600),
    m = Math.floor((sec % 3600) / 60),
    s = Math.round((sec % 60) * 10) / 10;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
