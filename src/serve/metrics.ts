/**
 * Prometheus metrics (prom-client), fed by the same 'tick' aggregates as the progress bar: one counting path. Counters
 * take the deltas of the engines' running totals; the delivery-latency histogram exposes the children's own buckets
 * (every acknowledged message, not a sample).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { LATENCY_BUCKETS_MS, type LatencyBuckets, noLatencyBuckets } from '../measure/latency-buckets.js';
import type { StormProgress } from '../report/progress.js';
import type { PulseProgress } from '../report/pulse-report.js';

/** A histogram whose buckets are counted elsewhere (the storm children), exposed as prom-client expects. */
class BucketedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  buckets: LatencyBuckets = noLatencyBuckets();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    let cumulative = 0;
    LATENCY_BUCKETS_MS.forEach((le, i) => {
      cumulative += this.buckets.counts[i];
      values.push({ labels: { le: le / 1000 }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    values.push({ labels: { le: '+Inf' }, value: this.buckets.count, metricName: `${this.name}_bucket` });
    values.push({ labels: {}, value: this.buckets.sumMs / 1000, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: this.buckets.count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
  reset(): void {
    this.buckets = noLatencyBuckets();
  }
}

export class DataStormMetrics {
  readonly registry = new Registry();
  private readonly acked = this.counter('datastorm_acknowledged_total', 'Messages the brokers acknowledged');
  private readonly sent = this.counter('datastorm_sent_total', 'Messages handed to librdkafka');
  private readonly failed = new Counter({
    name: 'datastorm_failed_total',
    help: 'Delivery failures, by librdkafka error name',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly inFlight = this.gauge('datastorm_in_flight', 'Messages waiting for a delivery report');
  private readonly rate = this.gauge('datastorm_rate', 'Acknowledged messages per second over the last second');
  private readonly target = this.gauge(
    'datastorm_target_rate',
    'The rate the shape of the run aims at now, msgs/s (0: as fast as possible)',
  );
  private readonly latency = new BucketedHistogram(
    'datastorm_delivery_latency_seconds',
    'Delivery latency of every acknowledged message (librdkafka, produce to acknowledgement)',
  );
  private readonly rss = new Gauge({
    name: 'datastorm_child_rss_bytes',
    help: 'Resident memory of each storm child',
    labelNames: ['child'],
    registers: [this.registry],
  });
  private readonly loopDelay = new Gauge({
    name: 'datastorm_child_event_loop_delay_p99_seconds',
    help: "p99 of each storm child's event-loop delay over its last interval",
    labelNames: ['child'],
    registers: [this.registry],
  });
  private readonly consumed = this.counter('datastorm_pulse_consumed_total', 'Tweets pulse consumed');
  private readonly written = this.counter('datastorm_pulse_points_written_total', 'Points InfluxDB acknowledged');
  private readonly retries = this.counter('datastorm_pulse_retries_total', 'InfluxDB writes retried');
  private readonly undecodable = this.counter('datastorm_pulse_undecodable_total', 'Records that were not tweets');
  private readonly lag = new Gauge({
    name: 'datastorm_pulse_lag',
    help: 'Messages not yet consumed, per partition',
    labelNames: ['partition'],
    registers: [this.registry],
  });
  private readonly freshness = new Gauge({
    name: 'datastorm_pulse_freshness_seconds',
    help: "From a tweet's created_at to InfluxDB acknowledging it, over the last interval's tweets, by quantile",
    labelNames: ['quantile'],
    registers: [this.registry],
  });
  private readonly readerConsumed = this.byGroup('datastorm_reader_consumed', 'Messages each group read, each once');
  private readonly readerBacklog = this.byGroup(
    'datastorm_reader_backlog',
    'Messages acknowledged and not yet read, per consumer group',
  );
  private readonly readerE2e = new Gauge({
    name: 'datastorm_reader_end_to_end_seconds',
    help: "The worst member's end-to-end latency over the last second, per group, by quantile",
    labelNames: ['group', 'quantile'],
    registers: [this.registry],
  });
  private last = { acked: 0, sent: 0, failed: {} as Record<string, number> };
  private lastPulse = { consumed: 0, points: 0, retries: 0, undecodable: 0 };

  constructor() {
    this.registry.registerMetric(this.latency as never);
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }
  private byGroup(name: string, help: string): Gauge {
    return new Gauge({ name, help, labelNames: ['group'], registers: [this.registry] });
  }
  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  storm(t: StormProgress): void {
    this.acked.inc(t.acked - this.last.acked);
    this.sent.inc(t.sent - this.last.sent);
    for (const [kind, n] of Object.entries(t.failedByKind))
      this.failed.inc({ kind }, n - (this.last.failed[kind] ?? 0));
    this.last = { acked: t.acked, sent: t.sent, failed: { ...t.failedByKind } };
    this.inFlight.set(t.inFlight);
    this.rate.set(t.currentRate);
    this.target.set(t.targetRate ?? 0);
    this.latency.buckets = t.latencyBuckets;
    for (const c of t.children) {
      this.rss.set({ child: String(c.slot) }, c.rssMiB * 2 ** 20);
      this.loopDelay.set({ child: String(c.slot) }, c.loopDelayP99Ms / 1000);
    }
    for (const g of t.readers ?? []) {
      this.readerConsumed.set({ group: g.group }, g.consumed);
      this.readerBacklog.set({ group: g.group }, g.backlog);
      if (!g.e2e) continue;
      this.readerE2e.set({ group: g.group, quantile: '0.5' }, g.e2e.p50 / 1000);
      this.readerE2e.set({ group: g.group, quantile: '0.99' }, g.e2e.p99 / 1000);
    }
  }

  pulse(t: PulseProgress): void {
    const p = this.lastPulse;
    this.consumed.inc(t.consumed - p.consumed);
    this.written.inc(t.points - p.points);
    this.retries.inc(t.retries - p.retries);
    this.undecodable.inc(t.undecodable - p.undecodable);
    this.lastPulse = { consumed: t.consumed, points: t.points, retries: t.retries, undecodable: t.undecodable };
    for (const [partition, n] of Object.entries(t.lagByPartition)) if (n >= 0) this.lag.set({ partition }, n);
    if (t.freshnessMs) {
      this.freshness.set({ quantile: '0.5' }, t.freshnessMs.p50 / 1000);
      this.freshness.set({ quantile: '0.99' }, t.freshnessMs.p99 / 1000);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
