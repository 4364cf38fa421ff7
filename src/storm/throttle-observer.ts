/**
 * Says once, live, that brokers throttle the producers (a quota), at the first tick that shows it: from then on the
 * figures measure the quota, not the cluster. The report counts the throttle time in all (report-builder.ts).
 */
import type { TickObserver } from '../run/run-engine.js';
import { QUOTA_MEANING } from './report-builder.js';
import type { RunAggregate } from './run-aggregate.js';

export function throttleObserver<T>(agg: RunAggregate, warn: (message: string) => void): TickObserver<T> {
  let said = false;
  return {
    tick: () => {
      if (said || agg.totals.throttledMs <= 0) return;
      said = true;
      warn(`brokers throttle the producers: ${QUOTA_MEANING}`);
    },
  };
}
