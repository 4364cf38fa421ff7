/**
 * librdkafka's own log lines (every client the addon makes logs into one ring in C, native/src/client-log.c) go
 * through DataStorm's logger instead of straight to stderr: transient states that librdkafka retries by itself (a
 * coordinator still loading, a broker not up yet, an idempotent producer id not granted yet) at debug, anything else
 * at warn, each distinct line once per drain with how many times it came. DATASTORM_LOG=debug shows them all.
 */
import { log } from '../../log.js';
import { addon } from './addon.js';

/** syslog levels librdkafka uses: 0 emerg … 3 error, 4 warning, 5 notice, 6 info, 7 debug. */
const WARNING = 4;

/** Lines librdkafka logs while it retries on its own, which say nothing a user must act on. */
const TRANSIENT = [
  /Coordinator load in progress/i,
  /Failed to acquire (idempotence|transactional) PID/i,
  /retrying/i,
  /Connection refused/i,
  /Disconnected/i,
  /Broker: Not coordinator/i,
  /Leader not available/i,
];

export interface ClientLogLine {
  level: number;
  facility: string;
  message: string;
}

/** Whether a line is librdkafka retrying a passing state (debug) rather than a problem (warn). */
export const isTransient = (line: ClientLogLine) =>
  line.level > WARNING || TRANSIENT.some((pattern) => pattern.test(line.message));

/** The lines librdkafka logged since the last drain, and how many the ring had no room for. */
export function drainClientLog(): { lines: ClientLogLine[]; dropped: number } {
  const raw = addon().clientLogDrain();
  const lines: ClientLogLine[] = [];
  for (let i = 0; i + 2 < raw.length; i += 3)
    lines.push({ level: Number(raw[i]), facility: String(raw[i + 1]), message: String(raw[i + 2]) });
  return { lines, dropped: Number(raw[raw.length - 1] ?? 0) };
}

/** Logs what librdkafka said since the last call, each distinct line once (with its count), by its weight. */
export function routeClientLog(who: string): void {
  const { lines, dropped } = drainClientLog();
  const seen = new Map<string, { line: ClientLogLine; times: number }>();
  for (const line of lines) {
    const key = `${line.facility}\u0000${line.message}`;
    const entry = seen.get(key);
    if (entry) entry.times++;
    else seen.set(key, { line, times: 1 });
  }
  for (const { line, times } of seen.values()) {
    const text = `${who}: kafka client ${line.facility}: ${line.message}${times > 1 ? ` (${times} times)` : ''}`;
    if (isTransient(line)) log.debug(text);
    else log.warn(text);
  }
  if (dropped > 0) log.debug(`${who}: ${dropped} kafka client log lines dropped (more than the ring holds a tick)`);
}
