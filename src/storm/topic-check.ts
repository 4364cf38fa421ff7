/** The topic a storm asked for against the one it found: what the cluster cannot honour is refused, not changed. */
import { InvalidOptionsError } from '../errors.js';
import type { TopicInfo } from '../kafka/admin.js';
import { topicMaxMessageBytesFor } from '../kafka/limits.js';
import type { StormOptions } from './options.js';

/**
 * The configs of the topic the storm creates: DataStorm's (a full batch fits, acks=all survives a broker on three
 * replicas), then --topic-config's; one that would refuse the run's own writes is refused.
 */
export function topicConfigFor(o: StormOptions, replication: number): Record<string, string> {
  const config = {
    'max.message.bytes': String(topicMaxMessageBytesFor(o.batchBytes)),
    ...(replication >= 3 ? { 'min.insync.replicas': '2' } : {}),
    ...o.topicConfig,
  };
  const problems: string[] = [];
  const minInsync = Number(config['min.insync.replicas'] ?? 1);
  if (o.acks === 'all' && minInsync > replication)
    problems.push(
      `--topic-config min.insync.replicas=${minInsync} is more than the topic's ${replication} replica` +
        `${replication === 1 ? '' : 's'}: every acks=all write would be refused (lower it, or raise --replication)`,
    );
  const needed = topicMaxMessageBytesFor(o.batchBytes);
  if (Number(config['max.message.bytes']) < needed)
    problems.push(
      `--topic-config max.message.bytes=${config['max.message.bytes']} is below the ${needed} a batch of ` +
        `--batch-bytes ${o.batchBytes} needs (lower --batch-bytes, or raise it)`,
    );
  if (problems.length) throw new InvalidOptionsError(problems);
  return config;
}

/** An existing topic is used as it is; an explicit --partitions or --replication it does not have is refused. */
export function refuseExistingMismatch(o: StormOptions, topic: TopicInfo & { created: boolean }): void {
  if (topic.created) return;
  const problems: string[] = [];
  const keep = '(choose another --topic, or leave the option out to use the topic as it is)';
  if (o.partitions !== undefined && o.partitions !== topic.partitions)
    problems.push(
      `--partitions ${o.partitions}: topic '${o.topic}' exists with ${topic.partitions} ` +
        `partition${topic.partitions === 1 ? '' : 's'} ${keep}`,
    );
  if (o.replication !== undefined && o.replication !== topic.replication)
    problems.push(
      `--replication ${o.replication}: topic '${o.topic}' exists with replication ${topic.replication} ${keep}`,
    );
  if (Object.keys(o.topicConfig).length)
    problems.push(
      `--topic-config: topic '${o.topic}' exists; its configs are set when the storm creates it ` +
        `(choose another --topic, or change the topic with kafka-configs --alter)`,
    );
  if (problems.length) throw new InvalidOptionsError(problems);
}
