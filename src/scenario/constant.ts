/** The constant shape (--rate R, R > 0) and the unlimited one (--rate 0, the default: as fast as possible). */

import { UNLIMITED } from './schedule.js';
import type { RateShape } from './shape.js';
import { formatRate } from './units.js';

export function constantShape(rate: number): RateShape {
  if (rate <= 0) return { name: 'unlimited', schedule: UNLIMITED, description: 'rate: as fast as the cluster takes' };
  return {
    name: 'constant',
    schedule: { segments: [{ kind: 'linear', durationMs: Number.POSITIVE_INFINITY, from: rate, to: rate }] },
    description: `rate: ${formatRate(rate)}/s, constant`,
  };
}
