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

/** Calls onStop once, on the primary's stop message (with its settle bound, if any), SIGINT or SIGTERM. */
export function onStopRequest(onStop: (settleMs?: number) => void): void {
  let called = false;
  const once = (settleMs?: number) => {
    if (called) return;
    called = true;
    onStop(settleMs);
  };
  process.on('message', (m: StopMessage) => m.t === 'stop' && once(m.settleMs));
  process.on('SIGINT', () => once());
  process.on('SIGTERM', () => once());
}

/** Whether this child was asked to stop: every loop of a child checks it. */
export interface StopSignal {
  readonly requested: boolean;
  /** The primary's bound on the wait for what is in flight, when it set one. */
  readonly settleMs?: number;
}

/** A signal raised by the process's stop requests; `onStop` runs once, when it is. */
export function stopOnRequest(onStop?: () => void): StopSignal {
  const signal: { requested: boolean; settleMs?: number } = { requested: false };
  onStopRequest((settleMs) => {
    signal.requested = true;
    signal.settleMs = settleMs;
    onStop?.();
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
