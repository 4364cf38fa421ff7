/**
 * This process's wall clock without its steps: the wall-clock time the process started at plus the monotonic time
 * since. An NTP correction or a person setting the clock moves Date.now() by seconds at once; a run's schedule
 * position, its latencies from the intended time and the seconds its timeline counts are measured on this instead,
 * so a step on a producer host neither skews nor stalls them. Tweets' created_at still read Date.now(): the time the
 * host says, which is what a consumer of the topic sees. Processes started before a step agree on this clock to the
 * millisecond; one started after it (a restarted child) is off by the step.
 */
export const steadyNow = (): number => performance.timeOrigin + performance.now();
