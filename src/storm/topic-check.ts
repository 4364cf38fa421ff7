/** The topic a storm asked for against the one it found: what the cluster cannot honour is refused, not changed. */
import { InvalidOptionsError } from '../errors.js';
import type { TopicInfo } from '../kafka/admin.js';
import type { StormOptions } from './options.js';

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
  if (problems.length) throw new InvalidOptionsError(problems);
}
