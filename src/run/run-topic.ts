/**
 * What both engines do with the topic under a run: watch it (deleted ends the run with its report; more partitions
 * are said, within the clients' next metadata refresh), and read a child's fatal error as the run's.
 */
import { DataStormError, type ErrorCode } from '../errors.js';
import type { KafkaTarget, TopicInfo } from '../kafka/admin.js';
import { topicMinInsync } from '../kafka/native/topic-config.js';
import { METADATA_REFRESH_MS } from '../kafka/producer.js';
import { TopicWatch } from '../kafka/topic-watch.js';
import type { ChildFatal } from '../supervisor.js';

export interface TopicWatchSpec {
  cluster: KafkaTarget;
  topic: TopicInfo;
  /** What the run does about a deleted topic: its error line (the run ends with its report). */
  deleted(): DataStormError;
  /** Who writes or reads the new partitions from the next metadata refresh ("the producers write to"). */
  grewReaders: string;
  fail(e: DataStormError): void;
  warn(message: string): void;
  /** Given, the topic's min.insync.replicas is asked and a partition that stays below it ends the run this way. */
  underMinInsync?(partition: number, inSync: number, min: number): DataStormError;
}

/** Watches the run's topic; `topic.partitions` follows its growth (caught up means every partition, the new too). */
export function watchRunTopic(spec: TopicWatchSpec): TopicWatch {
  const { topic, underMinInsync } = spec;
  const watch = new TopicWatch(spec.cluster, topic.name, topic.partitions, {
    deleted: () => spec.fail(spec.deleted()),
    grew: (partitions, before) => {
      topic.partitions = partitions;
      spec.warn(
        `topic '${topic.name}' grew from ${before} to ${partitions} partitions mid-run: ${spec.grewReaders} all of ` +
          `them from their next metadata refresh (within ${METADATA_REFRESH_MS / 1000} s)`,
      );
    },
    underMinInsync: underMinInsync && ((...under) => spec.fail(underMinInsync(...under))),
  });
  if (underMinInsync)
    void topicMinInsync(spec.cluster, topic.name).then((min) => {
      watch.minInsync = min;
    });
  return watch;
}

/**
 * A child's fatal error as the run's: codes every child would hit alike (the cluster, Redis, the topic, a setting)
 * read as they are; others keep their code when passed, else become `fallback`, and name the child.
 */
export function childFatalOf(
  shared: readonly ErrorCode[],
  passed: readonly ErrorCode[],
  fallback: ErrorCode,
  name: string,
): (f: ChildFatal) => DataStormError {
  return (f) => {
    if (shared.includes(f.code)) return new DataStormError(f.code, f.message);
    return new DataStormError(passed.includes(f.code) ? f.code : fallback, `${name} ${f.slot}: ${f.message}`);
  };
}
