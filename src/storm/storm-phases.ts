/**
 * The storm's phases before and after production, each one step over the run's context (src/run/run-engine.ts):
 * load the schema (and register it), connect to Redis, prepare the topic, join the run's instances. Production and
 * the collection of its report are the run's own (storm/primary.ts, storm/collect.ts). Each phase fails fast: nothing
 * is forked before the schema, Redis, the cluster and the topic all answered as asked.
 */
import type { Redis } from 'ioredis';
import { IndexHold, type Instances, joinRun, type TakeOver, takeOverIndex } from '../coord/instances.js';
import { Quota } from '../coord/quota.js';
import { connectRedis } from '../coord/redis.js';
import { type DataStormError, InvalidOptionsError } from '../errors.js';
import { loadStormSchema, registerSchema, type StormSchema } from '../generate/storm-schema.js';
import { ensureTopic, listBrokers, type TopicInfo } from '../kafka/admin.js';
import type { ReaderFleet } from '../readers/reader-fleet.js';
import type { StormReport } from '../report/storm-report.js';
import type { Phase } from '../run/run-engine.js';
import type { FindMaxObserver } from './find-max-observer.js';
import { InstanceJudge } from './instance-judge.js';
import { InstancePublisher } from './instance-publisher.js';
import type { StormOptions } from './options.js';
import type { RunAggregate } from './run-aggregate.js';
import { refuseExistingMismatch, topicConfigFor } from './topic-check.js';

/** What the phases learn, in the order they learn it. */
export interface StormContext {
  readonly options: StormOptions;
  /** Tells this process's producers from those of other storms sharing the run id (and names its instance). */
  readonly instance: string;
  schema?: StormSchema;
  /** With --schema-registry: the id it gave the schema. */
  schemaId?: number;
  redis?: Redis;
  /** Gives back a dead child's quota; made once Redis is connected. */
  quota?: Quota;
  brokers: number;
  topic?: TopicInfo;
  /** --instances: this process holds its index while it runs (a second process with the index is refused). */
  hold?: IndexHold;
  /** Where its children's incarnations start: after those of the index's earlier processes (a restarted instance). */
  incarnationBase: number;
  /** One of several instances: publishes for the merged report once it passed the barrier. */
  publisher?: InstancePublisher;
  /** --consumer-groups: the run's readers. */
  readers?: ReaderFleet;
  production?: Production;
  report?: StormReport;
}

/** What the production phase leaves for the report; times on performance.now(). */
export interface Production {
  topic: TopicInfo;
  startedAt: Date;
  forkedAt: number;
  producingAt: number;
  endedAt: number;
  fatal: DataStormError | undefined;
  /** When the run was told to stop (Ctrl-C, find-max's failed step): the schedule ends there. */
  stoppedAt: number | undefined;
  /** The run was told to stop (by the user, find-max, the live gate or a failure). */
  stopRequested: boolean;
  restarts: number;
}

export const loadSchema: Phase<StormContext> = {
  name: 'load schema',
  async run(c) {
    c.schema = loadStormSchema(c.options);
    refuseOversizedPayload(c.options, c.schema);
    if (c.options.registry) c.schemaId = await registerSchema(c.options.registry, c.options.topic, c.schema);
  },
};

export const connectCoordination: Phase<StormContext> = {
  name: 'connect to Redis',
  async run(c) {
    const o = c.options;
    c.redis = await connectRedis(o.redis, o.redisCa);
    c.quota = new Quota(c.redis, o.runId, o.count, o.shape.schedule);
  },
};

/** The cluster's brokers, and the topic made or checked: what the user asked for is honoured or refused. */
export const prepareTopic: Phase<StormContext> = {
  name: 'prepare topic',
  async run(c) {
    const o = c.options;
    const cluster = { bootstrap: o.bootstrap, client: o.client };
    c.brokers = (await listBrokers(cluster)).length;
    // Defaults follow the cluster; what the user asked for is honoured or refused, never quietly lowered.
    if (o.replication !== undefined && o.replication > c.brokers)
      throw new InvalidOptionsError([
        `--replication ${o.replication} needs at least ${o.replication} brokers; the cluster at ` +
          `${o.bootstrap} has ${c.brokers}`,
      ]);
    const replication = o.replication ?? Math.min(3, c.brokers);
    const topic = await ensureTopic(cluster, {
      topic: o.topic,
      partitions: o.partitions ?? 3 * c.brokers,
      replication,
      config: topicConfigFor(o, replication),
    });
    refuseExistingMismatch(o, topic);
    c.topic = topic;
  },
};

/** What the join phase needs of the run. */
export interface JoiningRun {
  readonly agg: RunAggregate;
  readonly findMax?: FindMaxObserver;
  emit(event: 'barrier', b: { joined: number; instances: number }): boolean;
  emit(event: 'warning', message: string): boolean;
}

/**
 * --instances: takes its index (and over from the index's earlier processes, when restarted), waits at the run's
 * barrier for the others, then publishes for the merged report as it runs.
 */
export function joinInstances(run: JoiningRun): Phase<StormContext> {
  return {
    name: 'join instances',
    async run(c) {
      const { instances, runId } = c.options;
      const redis = c.redis;
      if (!instances || !redis) return;
      c.hold = new IndexHold(redis, runId, instances.index, c.instance);
      await c.hold.take();
      const takeOver = await takeOverIndex(redis, runId, instances.index, c.instance);
      c.incarnationBase = takeOver.incarnationBase;
      const joined = await joinRun(redis, runId, instances, (n) =>
        run.emit('barrier', { joined: n, instances: instances.count }),
      );
      const warn = (message: string) => run.emit('warning', message);
      const options: StormOptions & { instances: Instances } = { ...c.options, instances };
      c.publisher = new InstancePublisher(c.instance, redis, options, joined, run.agg, warn, takeOver.predecessors);
      await c.publisher.recordPredecessors();
      const findMax = run.findMax;
      if (findMax) {
        c.publisher.judged = (startMs) => findMax.judge.ownSinceStart(startMs);
        findMax.instanceJudge = new InstanceJudge(redis, runId, findMax.judge);
      }
      tellTakeOver(takeOver, warn);
    },
  };
}

function tellTakeOver({ predecessors }: TakeOver, warn: (message: string) => void): void {
  for (const p of predecessors)
    warn(
      `took over from process ${p.processId} of this instance's index: it settled ` +
        `${p.acked.toLocaleString('en-US')}; ${p.givenBack.toLocaleString('en-US')} it leased and never settled ` +
        'went back to the quota',
    );
}

/** A payload larger than a batch could never be sent: refused before anything starts. */
function refuseOversizedPayload(o: StormOptions, schema: StormSchema): void {
  const size = o.payload && schema.kind === 'record' ? (schema.plan?.maxMessage ?? 0) : 0;
  if (size > o.batchBytes)
    throw new InvalidOptionsError([
      `${o.payload?.kind === 'file' ? `--payload ${o.payload.file}` : '--payload-size'}: ${size} bytes, more than ` +
        `--batch-bytes ${o.batchBytes} (a message must fit in a batch; the brokers here take up to 20 MiB)`,
    ]);
}
