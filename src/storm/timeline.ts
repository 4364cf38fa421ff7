/**
 * The per-second timeline from the children's per-second counts: [seconds since production started, acknowledged/s].
 * The first and last seconds are partial (production starts and ends mid-second): their rates are over their real
 * length, and the peak is taken over whole seconds only (null when the run had none).
 */
export function timelineOf(
  perSecond: Map<number, number>,
  startMs: number,
  elapsedSec: number,
): { timeline: [number, number][]; peak: number | null } {
  const start = startMs / 1000;
  const end = start + elapsedSec;
  const timeline: [number, number][] = [];
  let peak: number | null = null;
  for (let s = Math.floor(start) + 1; s < Math.ceil(end) + 1; s++) {
    const from = Math.max(s - 1, start),
      to = Math.min(s, end);
    const n = perSecond.get(s) ?? 0;
    if (to - from <= 0) continue;
    const rate = n / (to - from);
    timeline.push([Math.round((to - start) * 10) / 10, Math.round(rate)]);
    if (s - 1 >= start && s <= end) peak = Math.max(peak ?? 0, rate);
  }
  return { timeline, peak };
}
