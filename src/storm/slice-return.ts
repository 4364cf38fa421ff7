/**
 * A child died mid-run: what it leased (Redis knows exactly) and never saw settled goes back to the quota before its
 * successor starts, so the run still ends at its exact count.
 */
import { producerIdOf } from '../generate/tweet-contract.js';
import type { ChildExit } from '../supervisor.js';
import type { RunAggregate } from './run-aggregate.js';
import type { StormContext } from './storm-phases.js';

export interface RestartingRun {
  emit(event: 'restart', r: { slot: number; signal?: string; code: number | null; unsettled: number }): boolean;
  emit(event: 'warning', message: string): boolean;
}

export async function giveBackSlice(c: StormContext, agg: RunAggregate, dead: ChildExit, run: RestartingRun) {
  const s = agg.slots[dead.slot];
  const settled = s.acked + s.failed;
  s.acked = s.failed = s.inFlight = 0;
  const id = producerIdOf(c.options.runId, c.instance, dead.slot, dead.incarnation + c.incarnationBase);
  try {
    const leased = (await c.quota?.leasedBy(id)) ?? 0;
    const unsettled = Math.max(0, leased - settled);
    agg.totals.unsettledGivenBack += unsettled;
    run.emit('restart', { slot: dead.slot, signal: dead.signal ?? undefined, code: dead.code, unsettled });
    await c.quota?.giveBack(unsettled);
  } catch (e) {
    run.emit('warning', `could not give back child ${dead.slot}'s slice: ${(e as Error).message}`);
  }
}
