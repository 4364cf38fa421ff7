/**
 * Watches the topic a run writes or reads: every WATCH_EVERY_MS one metadata request for that topic alone (never
 * auto-created), on one connection held for the run. Deleted (the cluster no longer knows it, twice in a row: a
 * topic being re-created or a leader moving can miss once) or given more partitions, the watcher says so once
 * through its callbacks; a request that fails or times out is no verdict (the next one decides). librdkafka's own
 * clients notice either late or never: a producer retries a deleted topic's messages until they time out, and both
 * producer and consumer see new partitions only at their next metadata refresh.
 */
import type Kafka from 'node-rdkafka';
import { CONNECT_TIMEOUT_MS, connectMetadataClient, type KafkaTarget, metadata } from './admin.js';

export const WATCH_EVERY_MS = 2000;

export interface TopicChanges {
  /** The topic is gone; called once, and the watch stops. */
  deleted(): void;
  /** The topic has more partitions than before (called at each growth). */
  grew(partitions: number, before: number): void;
  /**
   * A partition with a leader has fewer in-sync replicas than the topic's min.insync.replicas (minInsync, or all its
   * replicas when that is fewer) at two looks in a row: writes with acks=all are refused there. Called once.
   */
  underMinInsync?(partition: number, inSync: number, min: number): void;
}

export class TopicWatch {
  private readonly timer: NodeJS.Timeout;
  private client: Kafka.Producer | undefined;
  private stopped = false;
  private missing = 0;
  private looking = false;
  private belowMin = 0;
  /** The topic's min.insync.replicas once known (0: unknown, nothing checked). */
  minInsync = 0;

  /**
   * Watches a topic that has `partitions` now. It connects in the background (a run's children are not held for
   * it: instances of a run start together); a connection that fails is tried again at the next look.
   */
  constructor(
    private readonly cluster: string | KafkaTarget,
    private readonly topic: string,
    private partitions: number,
    private readonly on: TopicChanges,
    everyMs = WATCH_EVERY_MS,
  ) {
    this.timer = setInterval(() => void this.look(everyMs), everyMs);
    this.timer.unref();
  }

  private async look(timeoutMs: number): Promise<void> {
    if (this.looking || this.stopped) return;
    this.looking = true;
    try {
      this.client ??= await connectMetadataClient(this.cluster, CONNECT_TIMEOUT_MS);
      if (this.stopped) return this.stop();
      const md = await metadata(this.client, this.topic, timeoutMs);
      const found = md.topics.find((t) => t.name === this.topic)?.partitions.length ?? 0;
      if (found === 0) {
        if (++this.missing >= 2) {
          this.stop();
          this.on.deleted();
        }
        return;
      }
      this.missing = 0;
      this.checkInsync(md);
      if (found > this.partitions) {
        const before = this.partitions;
        this.partitions = found;
        this.on.grew(found, before);
      }
    } catch {
      // No answer this time: not a verdict either way.
    } finally {
      this.looking = false;
    }
  }

  private checkInsync(md: Kafka.Metadata): void {
    const under = this.on.underMinInsync;
    if (!under || this.minInsync <= 0 || this.belowMin < 0) return;
    const partitions = md.topics.find((t) => t.name === this.topic)?.partitions ?? [];
    // Kafka holds a partition to min(min.insync.replicas, its replicas): a setting above the replication factor asks
    // for every replica, not for more. A partition without a leader is offline, not short: its writes wait for a
    // leader (a broker stopped or restarting), as librdkafka waits, and the run rides it out.
    const short = partitions.find((p) => p.leader >= 0 && p.isrs.length < Math.min(this.minInsync, p.replicas.length));
    if (!short) this.belowMin = 0;
    else if (++this.belowMin >= 2) {
      this.belowMin = -1; // said once
      under(short.id, short.isrs.length, this.minInsync);
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.client?.isConnected()) this.client.disconnect(2000, () => {});
  }
}
