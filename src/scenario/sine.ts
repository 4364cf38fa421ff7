/**
 * The sine shape (--sine MEAN,AMPLITUDE,PERIOD, e.g. 100k,50k,60s): mean + amplitude·sin(2πt/period), the daily (or
 * minutely) swing of real traffic. The amplitude may not exceed the mean: a rate below 0 cannot be honoured. Runs
 * until --duration or --count.
 */
import { formatSec, type RateShape } from './shape.js';
import { DURATION_FORMAT, formatRate, parseDuration, parseRate, RATE_FORMAT } from './units.js';

export const SINE_FORMAT = 'MEAN,AMPLITUDE,PERIOD, e.g. 100k,50k,60s';

export function parseSine(spec: string, flag = '--sine'): { shape?: RateShape; problems: string[] } {
  const parts = spec.split(',').map((s) => s.trim());
  if (parts.length !== 3) return { problems: [`${flag} must be ${SINE_FORMAT} (got '${spec}')`] };
  const [mean, amplitude, period] = [parseRate(parts[0]), parseRate(parts[1]), parseDuration(parts[2])];
  const problems: string[] = [];
  if (!Number.isFinite(mean) || mean <= 0)
    problems.push(`${flag} mean must be ${RATE_FORMAT}, above 0 (got '${parts[0]}')`);
  if (!Number.isFinite(amplitude)) problems.push(`${flag} amplitude must be ${RATE_FORMAT} (got '${parts[1]}')`);
  else if (amplitude > mean)
    problems.push(`${flag} amplitude must not exceed the mean (a rate below 0 cannot be sent; got '${spec}')`);
  if (!Number.isFinite(period) || period <= 0)
    problems.push(`${flag} period must be ${DURATION_FORMAT}, above 0 (got '${parts[2]}')`);
  if (problems.length) return { problems };
  return {
    problems,
    shape: {
      name: 'sine',
      schedule: {
        segments: [{ kind: 'sine', durationMs: Number.POSITIVE_INFINITY, mean, amplitude, periodMs: period * 1000 }],
      },
      description: `sine: ${formatRate(mean)}/s ± ${formatRate(amplitude)}/s every ${formatSec(period)}`,
    },
  };
}
