/**
 * Counting what the brokers acknowledged, two ways:
 *
 * - all (default): librdkafka reports every message; JS counts successes and records each one's delivery latency
 *   (produce timestamp to report) in an HDR histogram. Exact at every moment, at a JS cost per message.
 * - errors: librdkafka reports failures only ('delivery.report.only.error'), so successes cost JS nothing.
 *   A message leaves librdkafka's queue only when acknowledged or failed, so
 *       acknowledged = sent − failed − still queued
 *   Live, "still queued" is the msg_cnt of librdkafka's statistics (twice a second), matched with what had been sent
 *   at the statistics' own timestamp (same monotonic clock as process.hrtime): a lower bound. After a successful
 *   flush nothing is queued and the count is exact. Latency is not measured in this mode.
 */
import * as hdr from 'hdr-histogram-js';
import type Kafka from 'node-rdkafka';

export type ReportsMode = 'all' | 'errors';

export interface AckDelta {
  acked: number;
  bytes: number;
  failedTotal: number;
  failed: Record<string, number>;
}

const RING = 4096;
const MSG_SIZE_TOO_LARGE = 10; // Kafka's MESSAGE_TOO_LARGE, as librdkafka reports it (ERR_MSG_SIZE_TOO_LARGE)
const TOO_LARGE_TEXT = /message size too large/i;

export class AckTracker {
  readonly histogram: hdr.Histogram | null;
  private sent = 0;
  private sentBytes = 0;
  private failedCum = 0;
  private ackedCum = 0;
  private bytesCum = 0;
  /** errors mode: a lower bound of the acknowledged count, from statistics. */
  private ackedBound = 0;
  private queued = 0;
  private reportedAcked = 0;
  private reportedBytes = 0;
  private reportedFailed = 0;
  private failedByKind: Record<string, number> = {};
  private settledFinal = false;
  /** A broker refused a batch as larger than the topic's max.message.bytes: retrying cannot help. */
  tooLarge = false;
  private readonly ringT = new Float64Array(RING);
  private readonly ringSent = new Float64Array(RING);
  private ringHead = 0;

  constructor(readonly mode: ReportsMode) {
    this.histogram = mode === 'all' ? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 }) : null;
  }

  /** The librdkafka settings this mode needs. */
  config(): Record<string, unknown> {
    return this.mode === 'all'
      ? { dr_cb: true }
      : { dr_cb: true, 'delivery.report.only.error': true, 'statistics.interval.ms': 500 };
  }

  attach(producer: Kafka.Producer): void {
    producer.on('delivery-report', (err, r) => {
      if (err) {
        const name = String(err.message || err.code);
        // node-rdkafka hands delivery errors over with code -1 and librdkafka's text; either identifies this one.
        if (err.code === MSG_SIZE_TOO_LARGE || TOO_LARGE_TEXT.test(name)) this.tooLarge = true;
        this.failedByKind[name] = (this.failedByKind[name] ?? 0) + 1;
        this.failedCum++;
      } else {
        this.ackedCum++;
        this.bytesCum += r.size;
        if (r.timestamp) this.histogram?.recordValue(Math.max(1, Date.now() - r.timestamp));
      }
    });
    if (this.mode === 'errors') {
      producer.on('event.stats', (e: { message: string }) => {
        const s = JSON.parse(e.message) as { ts: number; msg_cnt: number };
        this.queued = s.msg_cnt;
        const bound = this.sentAt(s.ts) - this.failedCum - s.msg_cnt;
        if (bound > this.ackedBound) this.ackedBound = bound;
      });
    }
  }

  /** Called after each successful produce(). */
  sentOne(bytes: number): void {
    this.sent++;
    this.sentBytes += bytes;
  }

  /** Called every few hundred messages: remembers when how much had been sent (errors mode). */
  mark(): void {
    if (this.mode !== 'errors') return;
    this.ringT[this.ringHead] = Number(process.hrtime.bigint() / 1000n);
    this.ringSent[this.ringHead] = this.sent;
    this.ringHead = (this.ringHead + 1) % RING;
  }

  /** What had been sent at monotonic time tsMicros, or less (never more). */
  private sentAt(tsMicros: number): number {
    for (let k = 1; k <= RING; k++) {
      const i = (this.ringHead - k + RING) % RING;
      if (this.ringT[i] === 0) break;
      if (this.ringT[i] <= tsMicros) return this.ringSent[i];
    }
    return 0;
  }

  private ackedNow(): number {
    return this.mode === 'all' || this.settledFinal ? this.ackedCum : Math.max(this.ackedBound, this.reportedAcked);
  }

  inFlight(): number {
    return this.mode === 'all' ? this.sent - this.ackedCum - this.failedCum : this.settledFinal ? 0 : this.queued;
  }

  /** Counts since the previous call. */
  takeDelta(): AckDelta {
    const acked = this.ackedNow();
    const bytes = this.mode === 'all' ? this.bytesCum : this.sent ? Math.round((acked * this.sentBytes) / this.sent) : 0;
    const d: AckDelta = {
      acked: acked - this.reportedAcked,
      bytes: bytes - this.reportedBytes,
      failedTotal: this.failedCum - this.reportedFailed,
      failed: this.failedByKind,
    };
    this.reportedAcked = acked;
    this.reportedBytes = bytes;
    this.reportedFailed = this.failedCum;
    this.failedByKind = {};
    return d;
  }

  /** After flush: in errors mode a successful flush means every message not failed was acknowledged. */
  settle(flushOk: boolean): void {
    if (this.mode === 'errors' && flushOk) {
      this.ackedCum = this.sent - this.failedCum;
      this.settledFinal = true;
    }
  }

  /** Sent, but neither known acknowledged nor failed. */
  unresolved(): number {
    return Math.max(0, this.sent - this.ackedNow() - this.failedCum);
  }
}
