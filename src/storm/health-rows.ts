/**
 * The report's health table: each child's memory, event-loop delay and GC, one row per child every HEALTH_EVERY_SEC.
 * Every interval counts toward the row: the worst delays and the GC over the whole window, memory as at its end.
 */
import type { ChildHealth } from './protocol.js';

/** Children's health is kept in the report every this many seconds. */
export const HEALTH_EVERY_SEC = 5;

interface Window {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcMs: number;
  gcMaxMs: number;
  keptAt: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export class HealthRows {
  /** Rows of HEALTH_COLUMNS (report/storm-report.ts). */
  readonly rows: number[][] = [];
  private t0 = Number.NaN;
  private readonly windows = new Map<number, Window>();

  /** Production started: rows count their seconds from here. */
  start(now = performance.now()): void {
    if (Number.isNaN(this.t0)) this.t0 = now;
  }

  add(slot: number, h: ChildHealth, now = performance.now()): void {
    let w = this.windows.get(slot);
    if (!w) {
      w = { loopDelayP99Ms: 0, loopDelayMaxMs: 0, gcMs: 0, gcMaxMs: 0, keptAt: 0 };
      this.windows.set(slot, w);
    }
    w.loopDelayP99Ms = Math.max(w.loopDelayP99Ms, h.loopDelayP99Ms);
    w.loopDelayMaxMs = Math.max(w.loopDelayMaxMs, h.loopDelayMaxMs);
    w.gcMs += h.gcMs;
    w.gcMaxMs = Math.max(w.gcMaxMs, h.gcMaxMs);
    // Ticks come about a second apart: a little slack keeps a row every fifth tick rather than every sixth.
    if (Number.isNaN(this.t0) || now - w.keptAt < HEALTH_EVERY_SEC * 1000 - 100) return;
    this.rows.push([
      r1((now - this.t0) / 1000),
      slot,
      r1(h.rssBytes / 2 ** 20),
      r1(h.heapUsedBytes / 2 ** 20),
      r1(w.loopDelayP99Ms),
      r1(w.loopDelayMaxMs),
      r1(w.gcMs),
      r1(w.gcMaxMs),
    ]);
    this.windows.set(slot, { loopDelayP99Ms: 0, loopDelayMaxMs: 0, gcMs: 0, gcMaxMs: 0, keptAt: now });
  }
}
