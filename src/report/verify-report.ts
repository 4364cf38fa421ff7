/** What verify reports, and how it reads as text. */
import type { ThresholdOutcome } from '../thresholds/threshold.js';
import { type GateCase, gateLines, thresholdCases } from './threshold-lines.js';

export interface KeyOrderTotals {
  /** Distinct keys among keyed messages. */
  keys: number;
  keyedMessages: number;
  /** Keys found in more than one partition. */
  keysInSeveralPartitions: number;
  /** Messages read after a higher sequence of the same producer and key. */
  outOfOrder: number;
  /** The busiest key's share of keyed messages (0..1). */
  topKeyShare: number;
}

export interface ProducerCheck {
  producer: string;
  received: number;
  lost: number;
  /** Gaps of a producer that died mid-run (a later incarnation of its slot exists): see `unconfirmed` below. */
  unconfirmed: number;
  /** A later incarnation of this producer's slot wrote to the topic: this one died mid-run. */
  replaced: boolean;
  duplicated: number;
  outOfOrder: number;
  /** Records with a sequence number no storm producer writes (negative, not whole, 2^40 or more): counted only. */
  invalidSeq: number;
  maxSeq: number;
}

export interface VerifyReport {
  topic: string;
  runId: string | null;
  /**
   * The read itself: messages read of those the topic held at the start, and why it ended early (null: it read them
   * all). A read cut short is never a pass, whatever the counts below say.
   */
  read: { messages: number; expected: number; cutShort: string | null };
  received: number;
  /** Tweets whose sequence number no storm producer writes: counted, not tracked (ProducerCheck.invalidSeq). */
  invalidSeq: number;
  skippedOtherRuns: number;
  /** Messages that are not tweets of the schema (other producers' data, another schema). */
  undecodable: number;
  lost: number;
  /**
   * Gaps in the sequences of producers that died mid-run (a storm child killed): messages they had in flight, never
   * confirmed to the storm, which gave them back and had its restarted child produce them again under a new id.
   * Not counted as lost; shown apart so nothing is hidden.
   */
  unconfirmed: number;
  duplicated: number;
  outOfOrder: number;
  producers: ProducerCheck[];
  /** Order per key (verify/key-order.ts), when messages had keys; null otherwise. */
  keys: KeyOrderTotals | null;
  latencyMs: { p50: number; p95: number; p99: number; p999: number; max: number } | null;
  /** --threshold: each judged on the exact figures above. */
  thresholds?: ThresholdOutcome;
}

const en = (n: number) => n.toLocaleString('en-US');

export function renderVerifyText(r: VerifyReport): string {
  const l: string[] = [];
  l.push(
    `verify ${r.topic}${r.runId ? ` (run ${r.runId})` : ''}: ` +
      `${en(r.received)} received from ${r.producers.length} producers, ` +
      `${en(r.lost)} lost, ${en(r.duplicated)} duplicated, ${en(r.outOfOrder)} out of order`,
  );
  if (r.invalidSeq)
    l.push(
      `  ${en(r.invalidSeq)} with a sequence number no storm producer writes (negative, or 2^40 and beyond): ` +
        'counted, not tracked',
    );
  if (r.read.cutShort)
    l.push(
      `  INCOMPLETE: read ${en(r.read.messages)} of the ${en(r.read.expected)} messages the topic held at the start: ` +
        `${r.read.cutShort}; the figures above cover what was read, this is not a pass`,
    );
  if (r.unconfirmed)
    l.push(
      `  ${en(r.unconfirmed)} unconfirmed: in flight when a storm child died, never confirmed to the storm, ` +
        'produced again by its restarted child (not counted as lost)',
    );
  if (r.undecodable)
    l.push(
      `  ${en(r.undecodable)} messages did not decode as tweets of the schema (not DataStorm's, or another --schema)`,
    );
  const k = r.keys;
  if (k)
    l.push(
      `  keys: ${en(k.keys)} distinct over ${en(k.keyedMessages)} keyed messages (top key ` +
        `${(100 * k.topKeyShare).toFixed(1)}%), ${en(k.keysInSeveralPartitions)} in more than one partition, ` +
        `${en(k.outOfOrder)} out of order per key`,
    );
  const t = r.latencyMs;
  if (t)
    l.push(
      `  end-to-end latency (ms, produced to read): p50 ${t.p50}  p95 ${t.p95}  p99 ${t.p99}  p99.9 ${t.p999}  max ` +
        `${t.max}`,
    );
  for (const p of r.producers)
    if (p.lost || p.unconfirmed || p.duplicated || p.outOfOrder)
      l.push(
        `  ${p.producer}${p.replaced ? ' (died, restarted)' : ''}: ${en(p.received)} received, ${en(p.lost)} lost, ` +
          `${p.unconfirmed ? `${en(p.unconfirmed)} unconfirmed, ` : ''}${en(p.duplicated)} duplicated, ` +
          `${en(p.outOfOrder)} out of order`,
      );
  l.push(...gateLines(thresholdCases(r.thresholds)).map((line) => `  ${line}`));
  return l.join('\n');
}

/**
 * Verify's own checks, as a CI report lists them beside the thresholds: the whole topic read (a read cut short is
 * never a pass), nothing lost, and with keys, every key's messages in order (each fails verify with exit 1 or 5).
 */
export function verifyChecks(r: VerifyReport): GateCase[] {
  const checks: GateCase[] = [
    {
      name: 'the whole topic read',
      kind: 'check',
      passed: r.read.cutShort === null,
      detail:
        `read ${en(r.read.messages)} of ${en(r.read.expected)} messages` +
        (r.read.cutShort ? `: ${r.read.cutShort}` : ''),
    },
    {
      name: 'nothing lost',
      kind: 'check',
      passed: r.lost === 0,
      detail:
        `${en(r.lost)} lost of ${en(r.received + r.lost)} (${en(r.unconfirmed)} unconfirmed by dead producers, ` +
        `${en(r.duplicated)} duplicated)`,
    },
  ];
  if (r.keys)
    checks.push({
      name: "every key's messages in order",
      kind: 'check',
      passed: r.keys.outOfOrder === 0,
      detail: `${en(r.keys.outOfOrder)} out of order over ${en(r.keys.keys)} keys`,
    });
  return checks;
}
