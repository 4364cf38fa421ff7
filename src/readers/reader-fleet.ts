/**
 * A storm's readers: G consumer groups of M members each, one child process per member (the supervisor forks and
 * restarts them as it does producers), reading the run's topic while it is written. The fleet commits each group's
 * start at the topic's end before anything is written, waits until every group has every partition assigned, and
 * after production lets the readers drain until each group has read every offset the run wrote (bounded), then stops
 * them and keeps their histograms for the report.
 */
import path from 'node:path';
import { DataStormError } from '../errors.js';
import type { KafkaTarget, TopicInfo } from '../kafka/admin.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { ReadersSecond } from '../report/progress.js';
import { Supervisor } from '../supervisor.js';
import { commitGroupStart, highWatermarks } from './group-offsets.js';
import { GroupTally } from './group-tally.js';
import { READER_CHILD_ENV, type ReaderChildConfig, type ReaderMessage, type ReaderTick } from './protocol.js';

const READER_SCRIPT = path.join(PACKAGE_ROOT, 'dist/src/readers/reader-child.js');
const POLL_MS = 100;

/** What the readers are asked to do. */
export interface ReadersOptions {
  /** --backlog: the readers wait until this much was acknowledged, then drain while production goes on. */
  backlog?: { messages?: number; bytes?: number };
  groups: number;
  perGroup: number;
  /** How long, after production ended, the readers may take to read what is left. */
  drainTimeoutSec: number;
  /** How long the groups may take to get every partition assigned before production starts. */
  readyTimeoutSec: number;
  /** Over the run's client settings, for the readers only (--omb-driver's consumerConfig). */
  client?: Record<string, string>;
}

/** Run-wide settings every reader shares. */
export type ReaderRunSettings = Omit<
  ReaderChildConfig,
  'slot' | 'incarnation' | 'group' | 'groupIndex' | 'member' | 'paused'
>;

export class ReaderFleet {
  readonly groups: GroupTally[];
  private readonly supervisor: Supervisor<ReaderMessage>;
  private finished?: Promise<void>;
  /** Every reader has finished (stopped, or given up). */
  private ended = false;
  /** Each partition's offset where the run's first message lands, and (after production) where its last ended. */
  startOffsets: number[] = [];
  endOffsets: number[] = [];
  /** --backlog: the readers wait until it is built (a reader restarted meanwhile waits too). */
  paused: boolean;
  /** When the readers were told to read the backlog (Unix ms), and how much was acknowledged then. */
  resumed?: { atMs: number; acknowledged: number; bytes: number };
  /** --backlog: production ended before the backlog was built; the readers were resumed then. */
  unbuilt = false;
  /** Every reader's tick, after the fleet counted it (--omb-result's series). */
  onTick?: (m: ReaderTick) => void;
  /** Groups that did not read everything before the drain's bound, by name. */
  undrained: string[] = [];

  constructor(
    readonly options: ReadersOptions,
    private readonly settings: ReaderRunSettings,
    private readonly warn: (message: string) => void,
  ) {
    this.paused = options.backlog !== undefined;
    this.groups = Array.from(
      { length: options.groups },
      (_, g) => new GroupTally(`datastorm-${settings.runId}-g${g}`, options.perGroup),
    );
    this.supervisor = new Supervisor<ReaderMessage>({
      script: READER_SCRIPT,
      env: READER_CHILD_ENV,
      config: (id) => this.configOf(id.slot, id.incarnation),
      onMessage: (m) => this.onMessage(m),
      fatalOf: (f) => new DataStormError(f.code, `reader ${f.slot}: ${f.message}`),
    });
  }

  private configOf(slot: number, incarnation: number): ReaderChildConfig {
    const groupIndex = Math.floor(slot / this.options.perGroup);
    const member = slot % this.options.perGroup;
    const group = this.groups[groupIndex].name;
    return { ...this.settings, slot, incarnation, group, groupIndex, member, paused: this.paused };
  }

  private onMessage(m: ReaderMessage): void {
    const member = m.slot % this.options.perGroup;
    if (m.t === 'fatal') this.warn(`reader ${m.slot} (group ${this.configOf(m.slot, 0).group}) failed: ${m.message}`);
    if (m.t === 'reader-tick') {
      this.groups[m.group].tick(m);
      this.onTick?.(m);
    } else if (m.t === 'reader-assignment') this.groups[m.group].assignment(member, m.assigned, m.partitions);
    else if (m.t === 'done') this.groups[m.group].done(m);
  }

  get fatal(): DataStormError | undefined {
    return this.supervisor.fatal[0];
  }

  /** Commits each group's start at the topic's end, forks the readers, waits until each group has all partitions. */
  async start(cluster: KafkaTarget, topic: TopicInfo): Promise<void> {
    this.startOffsets = await highWatermarks(cluster, topic.name, topic.partitions);
    for (const g of this.groups) await commitGroupStart(cluster, topic.name, g.name, this.startOffsets);
    this.finished = this.supervisor.run(this.options.groups * this.options.perGroup).then(() => {
      this.ended = true;
    });
    const deadline = Date.now() + this.options.readyTimeoutSec * 1000;
    while (Date.now() < deadline && !this.fatal && !this.groups.every((g) => g.covers(topic.partitions)))
      await sleep(POLL_MS);
    if (this.fatal) throw this.fatal;
    for (const g of this.groups)
      if (!g.covers(topic.partitions))
        this.warn(
          `consumer group ${g.name} had not every partition of '${topic.name}' assigned after ` +
            `${this.options.readyTimeoutSec} s: production starts anyway, and the report says what it read`,
        );
    this.sayIdleMembers(topic.partitions);
  }

  /** More members than partitions: some read nothing (said, as OpenMessaging Benchmark allows it). */
  private sayIdleMembers(partitions: number): void {
    if (this.options.perGroup <= partitions) return;
    this.warn(
      `${this.options.perGroup} consumers per group for ${partitions} partitions: ` +
        `${this.options.perGroup - partitions} of each group's members read nothing`,
    );
  }

  /** After production: reads until every group has read [start, end) of every partition, or the bound; then stops. */
  async drain(cluster: KafkaTarget, topic: TopicInfo): Promise<void> {
    this.endOffsets = await highWatermarks(cluster, topic.name, topic.partitions);
    // A backlog larger than the run wrote is never built: the readers read what there is.
    if (this.paused) {
      this.unbuilt = true;
      this.resume(
        this.endOffsets.reduce((a, end, p) => a + end - (this.startOffsets[p] ?? 0), 0),
        0,
      );
    }
    const deadline = Date.now() + this.options.drainTimeoutSec * 1000;
    const left = () => {
      this.markCaughtUp();
      return this.groups.some((g) => this.missing(g) > 0);
    };
    while (Date.now() < deadline && !this.fatal && !this.ended && left()) await sleep(POLL_MS);
    this.undrained = this.groups.filter((g) => this.missing(g) > 0).map((g) => g.name);
    this.stop();
    await this.finished;
  }

  /** After production, a group that has read everything has caught up (if it had not within production). */
  private markCaughtUp(): void {
    if (!this.resumed) return;
    for (const g of this.groups)
      if (g.caughtUpAtMs === undefined && this.missing(g) === 0) {
        g.caughtUpAtMs = Date.now();
        g.consumedAtCatchUp = g.consumed;
      }
  }

  /** Offsets the run wrote that the group has not read. */
  missing(g: GroupTally): number {
    return this.endOffsets.reduce((a, end, p) => a + g.ranges.missing(p, this.startOffsets[p] ?? 0, end), 0);
  }

  stop(settleMs?: number): void {
    this.supervisor.stop(settleMs);
  }

  /** The backlog is built: every reader reads from now on. */
  resume(acknowledged: number, bytes: number): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumed = { atMs: Date.now(), acknowledged, bytes };
    for (const g of this.groups) g.resumedFrom = g.consumed;
    this.supervisor.broadcast({ t: 'resume' });
  }

  /**
   * Each group this second: new reads, the backlog against what was acknowledged so far, end-to-end p99s. After a
   * backlog's resume, a group has caught up at the first second its backlog is within one second of production.
   */
  second(acknowledged: number, producedPerSec: number): ReadersSecond[] {
    return this.groups.map((g) => {
      const backlog = Math.max(0, acknowledged - g.consumed);
      g.backlogMost = Math.max(g.backlogMost, backlog);
      if (this.resumed && g.caughtUpAtMs === undefined && backlog <= Math.max(producedPerSec, 1)) {
        g.caughtUpAtMs = Date.now();
        g.consumedAtCatchUp = g.consumed;
      }
      const { e2e, intendedP99 } = g.takeSecond();
      return { group: g.name, consumed: g.consumed, reread: g.reread, backlog, e2e, intendedP99 };
    });
  }

  get restarts(): number {
    return this.supervisor.restarts;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
