/**
 * A child's latency histograms, drained from C once a tick: the delivery latency from the send, and under a rate
 * schedule the latency from each message's intended send time (coordinated omission cannot hide a stalled producer
 * there) and the publish delay (sent minus intended). Each tick gives the interval's p50/p99 (and Prometheus buckets)
 * to the primary; what the run keeps excludes the warm-up; at the end the run's histograms go out as (value, count)
 * pairs, once.
 */
import type { BatchProducer } from '../kafka/native/batch-producer.js';
import { noLatencyBuckets } from '../measure/latency-buckets.js';
import { ValueCounts } from '../measure/value-counts.js';
import type { DoneMessage, TickMessage } from './protocol.js';

export class ChildLatency {
  private readonly run = new ValueCounts();
  private readonly interval = new ValueCounts();
  private readonly intended = new ValueCounts();
  private readonly intervalIntended = new ValueCounts();
  private readonly publishDelay = new ValueCounts();
  private readonly dropped = new ValueCounts();

  constructor(
    private readonly producer: BatchProducer,
    /** A rate schedule gives every message an intended send time. */
    private readonly scheduled: boolean,
    /** --omb-result: each tick carries its interval's pairs (OpenMessaging Benchmark's periods). */
    private readonly series = false,
  ) {}

  /** This interval's figures for the tick; what is recorded during the warm-up is not kept for the run. */
  tick(warming: boolean): TickMessage['latency'] {
    const buckets = noLatencyBuckets();
    const h = this.interval;
    this.producer.drainLatency(h, buckets);
    const result: TickMessage['latency'] = {
      p50: h.percentile(50),
      p99: h.percentile(99),
      buckets,
      intendedP99: null,
    };
    if (!warming) this.run.add(h);
    if (this.series) result.pairs = h.pairs();
    h.reset();
    if (this.scheduled) {
      const i = this.intervalIntended;
      this.producer.drainLatency(i, undefined, 'intended');
      result.intendedP99 = i.percentile(99);
      if (!warming) this.intended.add(i);
      i.reset();
      const delay = new ValueCounts();
      this.producer.drainLatency(delay, undefined, 'delay');
      (warming ? this.dropped : this.publishDelay).add(delay);
      this.dropped.reset();
      if (this.series) result.delayPairs = delay.pairs();
    }
    return result;
  }

  /** The run's histograms, as (value, count) pairs, for the 'done' message. */
  encoded(): Pick<DoneMessage, 'histogram' | 'intendedHistogram' | 'publishDelayHistogram'> {
    return {
      histogram: this.run.pairs(),
      intendedHistogram: this.scheduled ? this.intended.pairs() : null,
      publishDelayHistogram: this.scheduled ? this.publishDelay.pairs() : null,
    };
  }
}
