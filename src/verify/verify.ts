/**
 * Reads a topic back and checks, per producer (producer_id + seq in every tweet): received, lost (gaps in 0..max seq),
 * duplicated, out of order within a partition; plus end-to-end latency (created_at to read time) percentiles.
 */
import * as hdr from 'hdr-histogram-js';
import { readTopic } from '../kafka/read-topic.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { TweetReader } from '../generate/tweet-reader.js';
import { parseProducerId } from '../storm/protocol.js';

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
  maxSeq: number;
}

export interface VerifyReport {
  topic: string;
  runId: string | null;
  received: number;
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
  latencyMs: { p50: number; p95: number; p99: number; p999: number; max: number } | null;
}

/**
 * How far back from a dead producer's highest sequence its gaps may be messages it had in flight: the storm child
 * holds at most --max-in-flight unacknowledged (200,000 at most: storm/options MAX_IN_FLIGHT_LIMIT) plus a batch.
 * Gaps before that are counted lost.
 */
export const UNCONFIRMED_WINDOW = 250_000;

/** Seen-counts per sequence number, grown as needed (a byte per seq: 5M seqs = 5 MB). */
class SeqMap {
  counts = new Uint8Array(1024);
  max = -1;
  add(seq: number): boolean {
    if (seq >= this.counts.length) {
      const bigger = new Uint8Array(Math.max(seq + 1, this.counts.length * 2));
      bigger.set(this.counts);
      this.counts = bigger;
    }
    if (seq > this.max) this.max = seq;
    const first = this.counts[seq] === 0;
    if (this.counts[seq] < 255) this.counts[seq]++;
    return first;
  }
}

export async function verifyTopic(o: { bootstrap: string; topic: string; runId?: string; schema?: string }): Promise<VerifyReport> {
  const type = loadTweetType(o.schema);
  const seqs = new Map<string, SeqMap>();
  const stats = new Map<string, { received: number; duplicated: number; outOfOrder: number }>();
  const lastSeq = new Map<string, number>(); // producer + partition -> last seq read there
  const latency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 7 * 86_400_000, numberOfSignificantValueDigits: 3 });
  let skipped = 0;
  let undecodable = 0;
  const reader = new TweetReader(type, ['run_id', 'producer_id', 'seq', 'created_at']);
  await readTopic({
    bootstrap: o.bootstrap,
    topic: o.topic,
    onMessage: (values, start, end, partition) => {
      const t = reader.read(values, start, end);
      if (!t) {
        undecodable++; // not a tweet of this schema: counted, not guessed at
        return;
      }
      if (o.runId && t.run_id !== o.runId) {
        skipped++;
        return;
      }
      let m = seqs.get(t.producer_id);
      let s = stats.get(t.producer_id);
      if (!m || !s) {
        seqs.set(t.producer_id, (m = new SeqMap()));
        stats.set(t.producer_id, (s = { received: 0, duplicated: 0, outOfOrder: 0 }));
      }
      s.received++;
      if (!m.add(t.seq)) s.duplicated++;
      const k = `${t.producer_id}\u0000${partition}`;
      const prev = lastSeq.get(k);
      if (prev !== undefined && t.seq < prev) s.outOfOrder++;
      lastSeq.set(k, t.seq);
      latency.recordValue(Math.max(1, Date.now() - t.created_at));
    },
  });
  // Storm producer ids end in .p<slot>.<incarnation>; a higher incarnation of the same slot means the lower one died.
  const latest = new Map<string, number>();
  for (const id of seqs.keys()) {
    const p = parseProducerId(id);
    if (p) latest.set(p.slot, Math.max(latest.get(p.slot) ?? -1, p.incarnation));
  }
  const producers: ProducerCheck[] = [];
  for (const [producer, m] of seqs) {
    const s = stats.get(producer)!;
    const id = parseProducerId(producer);
    const replaced = !!id && id.incarnation < (latest.get(id.slot) ?? 0);
    // A dying producer's unconfirmed messages are its last ones; a gap further back is a loss all the same.
    const from = replaced ? Math.max(0, m.max - UNCONFIRMED_WINDOW) : m.max + 1;
    let lost = 0, unconfirmed = 0;
    for (let i = 0; i <= m.max; i++) if (m.counts[i] === 0) i < from ? lost++ : unconfirmed++;
    producers.push({
      producer, received: s.received, lost, unconfirmed, replaced,
      duplicated: s.duplicated, outOfOrder: s.outOfOrder, maxSeq: m.max,
    });
  }
  producers.sort((a, b) => a.producer.localeCompare(b.producer));
  const sum = (k: keyof ProducerCheck) => producers.reduce((a, p) => a + (p[k] as number), 0);
  return {
    topic: o.topic,
    runId: o.runId ?? null,
    received: sum('received'),
    skippedOtherRuns: skipped,
    undecodable,
    lost: sum('lost'),
    unconfirmed: sum('unconfirmed'),
    duplicated: sum('duplicated'),
    outOfOrder: sum('outOfOrder'),
    producers,
    latencyMs: latency.totalCount
      ? { p50: latency.getValueAtPercentile(50), p95: latency.getValueAtPercentile(95), p99: latency.getValueAtPercentile(99), p999: latency.getValueAtPercentile(99.9), max: latency.maxValue }
      : null,
  };
}
