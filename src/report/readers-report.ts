/** The readers' section of a storm's report (--consumer-groups): each group's reading, exact and timed end to end. */
import type { EndToEndPercentiles } from '../measure/histograms.js';

export interface ReaderGroupReport {
  group: string;
  members: number;
  /** Members that were ever given a partition (more members than partitions leave some idle). */
  membersAssigned: number;
  /** Messages the group read, each once. */
  consumed: number;
  /** Messages read again after a rebalance (re-reads, not new messages). */
  reread: number;
  /** Messages the run wrote that the group never read before the drain's bound. */
  missed: number;
  /** Messages read outside what the run wrote (another writer on the topic meanwhile). */
  foreign: number;
  /** New reads per second over the seconds the group read, and its busiest second. */
  consumeRate: { average: number; peak: number };
  megabytesPerSec: number;
  /** The most messages acknowledged and not yet read by the group, at any second. */
  backlogMost: number;
  /** From the record's creation time (Kafka's CreateTime, ms: the middle of its millisecond) to its arrival. */
  endToEndMs: EndToEndPercentiles | null;
  /** Tweets under a rate schedule: from the message's intended send time to its arrival. */
  endToEndFromIntendedMs: EndToEndPercentiles | null;
  /** The readers' CPU (every thread), µs per message read. */
  cpuPerMessageUs: number | null;
  /**
   * --backlog: from the resume until the group's backlog was within one second of production, or it had read all
   * after production ended (null: neither, by the drain's bound); and its new reads per second over that time.
   */
  catchUp?: { sec: number | null; drainRate: number | null };
}

export interface BacklogReport {
  /** What was asked: messages and/or bytes acknowledged before the readers read. */
  asked: { messages?: number; bytes?: number };
  /** Seconds from the start of production until it was built, and what was acknowledged then. */
  builtAfterSec: number | null;
  messages: number;
  bytes: number;
  /** Production ended before the backlog was built: the readers read what there was. */
  neverBuilt: boolean;
}

export interface ReadersReport {
  /** Messages the run wrote to the topic, by its high watermarks before and after: what each group must read. */
  written: number;
  groups: ReaderGroupReport[];
  drainTimeoutSec: number;
  /** Reader processes restarted (a restarted member rejoins its group). */
  restarts: number;
  backlog?: BacklogReport;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const e2eText = (p: EndToEndPercentiles) =>
  `p50 ${p.p50}  p95 ${p.p95}  p99 ${p.p99}  p99.9 ${p.p999}  p99.99 ${p.p9999}  max ${p.max}`;

/** The section as text rows (label, text). */
export function readersRows(r: ReadersReport, row: (label: string, text: string) => void): void {
  row('readers:', `${r.groups.length} group(s); the run wrote ${fmt(r.written)} messages`);
  const b = r.backlog;
  if (b)
    row(
      '  backlog:',
      b.neverBuilt
        ? `production ended before the backlog asked for was built: the readers read its ${fmt(b.messages)} messages`
        : `${fmt(b.messages)} messages (${(b.bytes / 1e6).toFixed(1)} MB) built in ${b.builtAfterSec} s, then read`,
    );
  for (const g of r.groups) {
    const missed = g.missed ? `, ${fmt(g.missed)} NOT READ within ${r.drainTimeoutSec} s` : '';
    const foreign = g.foreign ? `, ${fmt(g.foreign)} read from other writers` : '';
    const idle = g.membersAssigned < g.members ? ` (${g.members - g.membersAssigned} never assigned)` : '';
    row(
      `  ${g.group}:`,
      `${g.members} member(s)${idle}, read ${fmt(g.consumed)}, re-read ${fmt(g.reread)}${missed}${foreign}; ` +
        `${fmt(g.consumeRate.average)} msg/s average, ${fmt(g.consumeRate.peak)} peak, ${g.megabytesPerSec} MB/s; ` +
        `backlog at most ${fmt(g.backlogMost)}`,
    );
    if (g.catchUp)
      row(
        '    catch-up:',
        g.catchUp.sec === null
          ? 'never back within a second of production, nor through the drain'
          : `caught up ${g.catchUp.sec} s after the resume, reading ${fmt(g.catchUp.drainRate ?? 0)} msg/s`,
      );
    if (g.endToEndMs) row('    e2e (ms):', e2eText(g.endToEndMs));
    if (g.endToEndFromIntendedMs) row('    intended:', e2eText(g.endToEndFromIntendedMs));
  }
}
