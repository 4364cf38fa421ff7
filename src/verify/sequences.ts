/**
 * Verify's sequence analysis (pure: fed messages, no I/O): per producer (producer_id + seq in every tweet) what was
 * received, lost (gaps in 0..max seq), duplicated, and out of order within a partition; a producer that died mid-run
 * (a later incarnation of its slot wrote too) has its last gaps counted apart as unconfirmed.
 */

import { parseProducerId, UNCONFIRMED_WINDOW } from '../generate/tweet-contract.js';
import type { ProducerCheck } from '../report/verify-report.js';

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

export interface SequenceTotals {
  received: number;
  lost: number;
  unconfirmed: number;
  duplicated: number;
  outOfOrder: number;
  producers: ProducerCheck[];
}

export class SequenceAnalysis {
  private readonly seqs = new Map<string, SeqMap>();
  private readonly stats = new Map<string, { received: number; duplicated: number; outOfOrder: number }>();
  /** producer + partition → last seq read there */
  private readonly lastSeq = new Map<string, number>();

  add(producer: string, seq: number, partition: number): void {
    let m = this.seqs.get(producer);
    let s = this.stats.get(producer);
    if (!m || !s) {
      m = new SeqMap();
      s = { received: 0, duplicated: 0, outOfOrder: 0 };
      this.seqs.set(producer, m);
      this.stats.set(producer, s);
    }
    s.received++;
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
      const s = this.stats.get(producer) as { received: number; duplicated: number; outOfOrder: number };
      const id = parseProducerId(producer);
      const replaced = !!id && id.incarnation < (latest.get(id.slot) ?? 0);
      // A dying producer's unconfirmed messages are its last ones; a gap further back is a loss all the same.
      const from = replaced ? Math.max(0, m.max - UNCONFIRMED_WINDOW) : m.max + 1;
      let lost = 0;
      let unconfirmed = 0;
      for (let i = 0; i <= m.max; i++) if (m.counts[i] === 0) i < from ? lost++ : unconfirmed++;
      producers.push({
        producer,
        received: s.received,
        lost,
        unconfirmed,
        replaced,
        duplicated: s.duplicated,
        outOfOrder: s.outOfOrder,
        maxSeq: m.max,
      });
    }
    producers.sort((a, b) => a.producer.localeCompare(b.producer));
    const sum = (k: 'received' | 'lost' | 'unconfirmed' | 'duplicated' | 'outOfOrder') =>
      producers.reduce((a, p) => a + p[k], 0);
    return {
      received: sum('received'),
      lost: sum('lost'),
      unconfirmed: sum('unconfirmed'),
      duplicated: sum('duplicated'),
      outOfOrder: sum('outOfOrder'),
      producers,
    };
  }
}
