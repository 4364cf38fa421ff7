/**
 * A child's latency histograms, drained from C once a tick: the delivery latency from the send, and under a rate
 * schedule the latency from each message's intended send time (coordinated omission cannot hide a stalled producer
 * there) and the publish delay (sent minus intended). Each tick gives the interval's p50/p99 (and Prometheus buckets)
 * to the primary; what the run keeps excludes the warm-up; at the end the run's histograms go out encoded, once.
 */
import * as hdr from 'hdr-histogram-js';
import type { BatchProducer } from '../kafka/native/batch-producer.js';
import { latencyHistogram } from '../report/histograms.js';
import { noLatencyBuckets } from '../report/latency-buckets.js';
import type { DoneMessage, TickMessage } from './protocol.js';

export class ChildLatency {
  private readonly run = latencyHistogram();
  private readonly interval = latencyHistogram();
  private readonly intended = latencyHistogram();
  private readonly intervalIntended = latencyHistogram();
  private readonly publishDelay = latencyHistogram();
  private readonly dropped = latencyHistogram();

  constructor(
    private readonly producer: BatchProducer,
    /** A rate schedule gives every message an intended send time. */
    private readonly scheduled: boolean,
  ) {}

  /** This interval's figures for the tick; what is recorded during the warm-up is not kept for the run. */
  tick(warming: boolean): TickMessage['latency'] {
    const buckets = noLatencyBuckets();
    const h = this.interval;
    this.producer.drainLatency(h, buckets);
    const some = h.totalCount > 0;
    const result: TickMessage['latency'] = {
      p50: some ? h.getValueAtPercentile(50) : null,
      p99: some ? h.getValueAtPercentile(99) : null,
      buckets,
      intendedP99: null,
    };
    if (!warming) this.run.add(h);
    h.reset();
    if (this.scheduled) {
      const i = this.intervalIntended;
      this.producer.drainLatency(i, undefined, 'intended');
      if (i.totalCount > 0) result.intendedP99 = i.getValueAtPercentile(99);
      if (!warming) this.intended.add(i);
      i.reset();
      this.producer.drainLatency(warming ? this.dropped : this.publishDelay, undefined, 'delay');
      this.dropped.reset();
    }
    return result;
  }

  /** The run's histograms, compressed, for the 'done' message. */
  encoded(): Pick<DoneMessage, 'histogram' | 'intendedHistogram' | 'publishDelayHistogram'> {
    return {
      histogram: hdr.encodeIntoCompressedBase64(this.run),
      intendedHistogram: this.scheduled ? hdr.encodeIntoCompressedBase64(this.intended) : null,
      publishDelayHistogram: this.scheduled ? hdr.encodeIntoCompressedBase64(this.publishDelay) : null,
    };
  }
}
