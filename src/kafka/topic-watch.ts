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
}

export class TopicWatch {
  private timer: NodeJS.Timeout | undefined;
  private missing = 0;
  private looking = false;

  private constructor(
    private readonly client: Kafka.Producer,
    private readonly topic: string,
    private partitions: number,
    private readonly on: TopicChanges,
  ) {}

  /** Starts watching a topic that has `partitions` now; rejects like the first connection of any client. */
  static async start(
    cluster: string | KafkaTarget,
    topic: string,
    partitions: number,
    on: TopicChanges,
    everyMs = WATCH_EVERY_MS,
  ): Promise<TopicWatch> {
    const watch = new TopicWatch(await connectMetadataClient(cluster, CONNECT_TIMEOUT_MS), topic, partitions, on);
    watch.timer = setInterval(() => void watch.look(everyMs), everyMs);
    watch.timer.unref();
    return watch;
  }

  private async look(timeoutMs: number): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
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

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.client.isConnected()) this.client.disconnect(2000, () => {});
  }
}
