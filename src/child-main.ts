/**
 * The child side of the supervisor, alike for every child: read the config from the environment, run, exit 0 when
 * done; on an error, tell the primary (typed) and exit 1. Stop requests (the primary's word, or Ctrl-C reaching the
 * whole process group) end the child's loop; they never kill it mid-flush.
 */
import { type ErrorCode, isDataStormError } from './errors.js';
import type { ChildDone, ChildFatal, ChildIdentity, StopMessage } from './supervisor.js';

/** Messages handed to the IPC channel and not yet written to it. */
let unsent = 0;

/** Sends one message to the primary (a no-op when not forked). */
export function toPrimary<M>(m: M | ChildDone | ChildFatal): void {
  if (!process.send) return;
  unsent++;
  process.send(m, undefined, undefined, () => unsent--);
}

/** Waits (bounded) until every message is written: process.exit() would drop what is still queued. */
async function sent(timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (unsent > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

/** How long a SIGTERM lets a process wait for what is in flight: inside Kubernetes' 30 s grace before its SIGKILL. */
export const TERM_SETTLE_MS = 20_000;

/**
 * Calls onStop on each stop request: the primary's stop message (with its settle bound, if any), SIGINT, SIGHUP (a
 * terminal closed) or SIGTERM (bounded by TERM_SETTLE_MS). `again` is true for a request that shortens the wait: the
 * primary's later message with a bound, or a second signal (nothing more is waited for). One Ctrl-C reaches a child
 * twice (the terminal signals the whole group, and the primary tells it too): that is one request, not two.
 */
export function onStopRequest(onStop: (settleMs: number | undefined, again: boolean) => void): void {
  let stopping = false;
  let signals = 0;
  const request = (settleMs: number | undefined, shortens: boolean) => {
    if (!stopping) {
      stopping = true;
      onStop(settleMs, false);
    } else if (shortens) onStop(settleMs, true);
  };
  process.on('message', (m: StopMessage) => m.t === 'stop' && request(m.settleMs, m.settleMs !== undefined));
  const signalled = (settleMs?: number) => request(settleMs, ++signals > 1);
  process.on('SIGINT', () => signalled());
  process.on('SIGHUP', () => signalled());
  process.on('SIGTERM', () => signalled(TERM_SETTLE_MS));
}

/** Whether this child was asked to stop: every loop of a child checks it. */
export interface StopSignal {
  readonly requested: boolean;
  /** The primary's bound on the wait for what is in flight, when it set one. */
  readonly settleMs?: number;
}

/**
 * A signal raised by the process's stop requests; `onStop` runs once, on the first. A later request can only shorten
 * the settle bound: a second one without a bound of its own makes it 0.
 */
export function stopOnRequest(onStop?: () => void): StopSignal {
  const signal: { requested: boolean; settleMs?: number } = { requested: false };
  onStopRequest((settleMs, again) => {
    signal.requested = true;
    if (!again) {
      signal.settleMs = settleMs;
      onStop?.();
    } else signal.settleMs = Math.min(signal.settleMs ?? Number.POSITIVE_INFINITY, settleMs ?? 0);
  });
  return signal;
}

/** The fatal message for an error: typed codes pass through, anything else is INTERNAL. */
export function fatalMessage(slot: number, e: unknown): ChildFatal {
  const code: ErrorCode = isDataStormError(e) ? e.code : 'INTERNAL';
  return { t: 'fatal', slot, code, message: e instanceof Error ? e.message : String(e) };
}

/** When this process was forked with a config in `env`, runs the child with it and exits. */
export function childMain<C extends ChildIdentity>(env: string, run: (config: C) => Promise<void>): void {
  const raw = process.env[env];
  if (!raw) return;
  const config = JSON.parse(raw) as C;
  run(config).then(
    async () => {
      await sent();
      process.exit(0);
    },
    async (e: unknown) => {
      toPrimary(fatalMessage(config.slot, e));
      await sent();
      process.exit(1);
    },
  );
}
