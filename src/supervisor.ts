/**
 * One supervisor for both primaries (storm, pulse): forks one child per slot (node:cluster) with its config in the
 * environment, restarts a child that dies before it said 'done' (at most MAX_RESTARTS_PER_SLOT times a slot), stops
 * them all with one typed message, and resolves when every slot is finished. Fatal errors arrive typed (ErrorCode) and
 * the primary's policy says how to word them; the primaries keep only their aggregation and policy.
 */
import cluster from 'node:cluster';
import { DataStormError, type ErrorCode } from './errors.js';

/** A slot whose child died this many times more than once is given up, and the run fails with INTERNAL. */
export const MAX_RESTARTS_PER_SLOT = 5;

/** What every child sends, beside its own messages. */
export interface ChildDone {
  t: 'done';
  slot: number;
}
export interface ChildFatal {
  t: 'fatal';
  slot: number;
  code: ErrorCode;
  message: string;
}
/** The one message a primary sends: stop generating or consuming, finish what is in flight, say 'done'. */
export interface StopMessage {
  t: 'stop';
  /** How long a child may wait for what it has in flight (default: its own bound); short when nothing will come. */
  settleMs?: number;
}

/** Every child's config carries its slot and incarnation (a restarted child is the slot's next incarnation). */
export interface ChildIdentity {
  slot: number;
  incarnation: number;
}

export interface ChildExit {
  slot: number;
  /** The incarnation that died. */
  incarnation: number;
  code: number | null;
  signal: string | null;
}

/** A child's messages: its own, and the 'done' and 'fatal' the supervisor acts on. */
type ChildMessages = { t: string; slot: number };

export interface SupervisorSpec<M extends ChildMessages> {
  /** The child's compiled entry file. */
  script: string;
  /** The environment variable the child reads its config from (see child-main.ts). */
  env: string;
  config(id: ChildIdentity): ChildIdentity;
  /** Every message of every child, 'done' and 'fatal' included (M is the child's union of them). */
  onMessage(m: M): void;
  /** How a child's fatal error reads in the run's error (the primary's policy). */
  fatalOf(f: ChildFatal): DataStormError;
  /** Runs before a dead child's successor is forked (e.g. give back what it leased). Never rejects. */
  beforeRestart?(dead: ChildExit): Promise<void>;
}

interface Slot {
  incarnation: number;
  restarts: number;
  done: boolean;
  finished: boolean;
  worker?: ReturnType<typeof cluster.fork>;
}

export class Supervisor<M extends ChildMessages> {
  /** Fatal errors in the order they came; the first is the run's. */
  readonly fatal: DataStormError[] = [];
  private readonly slots: Slot[] = [];
  private stopping = false;
  private resolveAll?: () => void;

  constructor(private readonly spec: SupervisorSpec<M>) {}

  get restarts(): number {
    return this.slots.reduce((a, s) => a + s.restarts, 0);
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Forks `workers` children; resolves when every slot has finished (done, stopped, or given up). */
  run(workers: number): Promise<void> {
    const all = new Promise<void>((resolve) => (this.resolveAll = resolve));
    for (let slot = 0; slot < workers; slot++) {
      this.slots.push({ incarnation: 0, restarts: 0, done: false, finished: false });
      this.fork(slot);
    }
    return all;
  }

  /** Asks every child to stop (idempotent); `settleMs` bounds their wait for what is in flight. */
  stop(settleMs?: number): void {
    if (this.stopping) return;
    this.stopping = true;
    this.tell(settleMs === undefined ? { t: 'stop' } : { t: 'stop', settleMs });
  }

  /** Asked again while stopping: the children wait no more than `settleMs` (0: nothing) for what is in flight. */
  hurry(settleMs = 0): void {
    if (!this.stopping) this.stop(settleMs);
    else this.tell({ t: 'stop', settleMs });
  }

  private tell(message: StopMessage): void {
    this.broadcast(message);
  }

  /** Sends every running child one message of the primary's own (a child's protocol says which). */
  broadcast(message: { t: string }): void {
    for (const s of this.slots) if (s.worker?.isConnected()) s.worker.send(message);
  }

  /** Records a fatal error and stops the run (`settleMs`: see stop). */
  fail(e: DataStormError, settleMs?: number): void {
    this.fatal.push(e);
    this.stop(settleMs);
  }

  private fork(slot: number): void {
    const s = this.slots[slot];
    cluster.setupPrimary({ exec: this.spec.script, args: [], silent: false });
    const w = cluster.fork({ [this.spec.env]: JSON.stringify(this.spec.config({ slot, incarnation: s.incarnation })) });
    s.worker = w;
    w.on('message', (m: M) => {
      if (m.t === 'done') s.done = true;
      this.spec.onMessage(m);
      if (m.t === 'fatal') this.fail(this.spec.fatalOf(m as unknown as ChildFatal));
    });
    // A child's last messages (its final tick, 'done') may still be in the IPC pipe when its exit is seen: act on the
    // exit only once the channel has closed too, so every message it sent has been handled.
    let exited: { code: number | null; signal: string | null } | undefined;
    let channelClosed = !w.isConnected();
    let handled = false;
    const ended = () => {
      if (handled || !exited || !channelClosed) return;
      handled = true;
      this.onExit(slot, s, exited.code, exited.signal);
    };
    w.on('disconnect', () => {
      channelClosed = true;
      ended();
    });
    w.on('exit', (code, signal) => {
      exited = { code, signal };
      channelClosed ||= !w.isConnected();
      ended();
    });
  }

  private onExit(slot: number, s: Slot, code: number | null, signal: string | null): void {
    const dead: ChildExit = { slot, incarnation: s.incarnation, code, signal };
    if (s.done || this.stopping || this.fatal.length) {
      this.finish(s);
      return;
    }
    if (s.restarts >= MAX_RESTARTS_PER_SLOT) {
      const last = signal ?? `exit ${code}`;
      this.fail(new DataStormError('INTERNAL', `child ${slot} died ${s.restarts + 1} times (last: ${last}); stopping`));
      this.finish(s);
      return;
    }
    s.restarts++;
    s.incarnation++;
    const restart = this.spec.beforeRestart?.(dead) ?? Promise.resolve();
    void restart.finally(() => {
      // A stop that came while the dead child's work was given back has no child of this slot to reach: none is
      // forked, or it would run on past the stop.
      if (this.stopping || this.fatal.length) this.finish(s);
      else this.fork(slot);
    });
  }

  private finish(s: Slot): void {
    s.finished = true;
    if (this.slots.every((x) => x.finished)) this.resolveAll?.();
  }
}
