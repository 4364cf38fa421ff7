/**
 * Verify's sequence analysis (pure: fed messages, no I/O): per producer (producer_id + seq in every tweet) what was
 * received, lost (gaps in 0..max seq), duplicated, and out of order within a partition; a producer that died mid-run
 * (a later incarnation of its slot wrote too) has its last gaps counted apart as unconfirmed.
 */

import { parseProducerId, UNCONFIRMED_WINDOW } from '../generate/tweet-contract.js';
import type { ProducerCheck } from '../report/verify-report.js';

/**
 * The sequence numbers a producer can have: a storm producer counts from 0, and 2^40 is eleven days at a million a
 * second. A number outside is not a storm's (a record of someone else's that decodes as a tweet): counted apart,
 * never used to size anything.
 */
export const MAX_SEQ = 2 ** 40;
/** Seqs per chunk of the seen-counts: a producer's memory follows the seqs it has, not the largest one. */
const CHUNK = 65_536;

/** Seen-counts per sequence number, a byte each, in chunks made as seqs arrive (5M seqs = 5 MB). */
class SeqMap {
  private readonly chunks = new Map<number, Uint8Array>();
  max = -1;
  add(seq: number): boolean {
    const index = Math.floor(seq / CHUNK);
    let chunk = this.chunks.get(index);
    if (!chunk) {
      chunk = new Uint8Array(CHUNK);
      this.chunks.set(index, chunk);
    }
    if (seq > this.max) this.max = seq;
    const at = seq - index * CHUNK;
    const first = chunk[at] === 0;
    if (chunk[at] < 255) chunk[at]++;
    return first;
  }
  /** Seqs in [from, to] never seen: the range less what the chunks made so far hold (no chunk made for a gap). */
  missing(from: number, to: number): number {
    if (to < from) return 0;
    let seen = 0;
    for (const [index, chunk] of this.chunks) {
      const base = index * CHUNK;
      const lo = Math.max(from, base);
      const hi = Math.min(to, base + CHUNK - 1);
      for (let seq = lo; seq <= hi; seq++) if (chunk[seq - base] !== 0) seen++;
    }
    return to - from + 1 - seen;
  }
}

export interface SequenceTotals {
  received: number;
  lost: number;
  unconfirmed: number;
  duplicated: number;
  outOfOrder: number;
  invalidSeq: number;
  producers: ProducerCheck[];
}

export class SequenceAnalysis {
  private readonly seqs = new Map<string, SeqMap>();
  private readonly stats = new Map<
    string,
    { received: number; duplicated: number; outOfOrder: number; invalidSeq: number }
  >();
  /** producer + partition → last seq read there */
  private readonly lastSeq = new Map<string, number>();

  add(producer: string, seq: number, partition: number): void {
    let m = this.seqs.get(producer);
    let s = this.stats.get(producer);
    if (!m || !s) {
      m = new SeqMap();
      s = { received: 0, duplicated: 0, outOfOrder: 0, invalidSeq: 0 };
      this.seqs.set(producer, m);
      this.stats.set(producer, s);
    }
    s.received++;
    if (!Number.isInteger(seq) || seq < 0 || seq >= MAX_SEQ) {
      s.invalidSeq++;
      return;
    }
    if (!m.add(seq)) s.duplicated++;
    const k = `${producer}\u0000${partition}`;
    const prev = this.lastSeq.get(k);
    if (prev !== undefined && seq < prev) s.outOfOrder++;
    this.lastSeq.set(k, seq);
  }

  result(): SequenceTotals {
    // Storm producer ids end in .p<slot>.<incarnation>; a higher incarnation of the same slot means the lower one died.
    const latest = new Map<string, number>();
    for (const id of this.seqs.keys()) {
      const p = parseProducerId(id);
      if (p) latest.set(p.slot, Math.max(latest.get(p.slot) ?? -1, p.incarnation));
    }
    const producers: ProducerCheck[] = [];
    for (const [producer, m] of this.seqs) {
      const s = this.stats.get(producer) as {
        received: number;
        duplicated: number;
        outOfOrder: number;
        invalidSeq: number;
      };
      const id = parseProducerId(producer);
      const replaced = !!id && id.incarnation < (latest.get(id.slot) ?? 0);
      // A dying producer's unconfirmed messages are its last ones; a gap further back is a loss all the same.
      const from = replaced ? Math.max(0, m.max - UNCONFIRMED_WINDOW) : m.max + 1;
      const lost = m.missing(0, Math.min(from, m.max + 1) - 1);
      const unconfirmed = m.missing(from, m.max);
      producers.push({
        producer,
        received: s.received,
        lost,
        unconfirmed,
        replaced,
        duplicated: s.duplicated,
        outOfOrder: s.outOfOrder,
        invalidSeq: s.invalidSeq,
        maxSeq: m.max,
      });
    }
    producers.sort((a, b) => a.producer.localeCompare(b.producer));
    const sum = (k: 'received' | 'lost' | 'unconfirmed' | 'duplicated' | 'outOfOrder' | 'invalidSeq') =>
      producers.reduce((a, p) => a + p[k], 0);
    return {
      received: sum('received'),
      lost: sum('lost'),
      unconfirmed: sum('unconfirmed'),
      duplicated: sum('duplicated'),
      outOfOrder: sum('outOfOrder'),
      invalidSeq: sum('invalidSeq'),
      producers,
    };
  }
}
