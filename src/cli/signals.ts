/**
 * How a command stops on signals as people and platforms send them. Ctrl-C (SIGINT) or a closing terminal (SIGHUP)
 * stops the run and waits for what is in flight; SIGTERM (Kubernetes, systemd) the same within TERM_SETTLE_MS, inside
 * the 30 s grace before their SIGKILL. A second signal waits no more: what is still in flight counts as unresolved,
 * and the report (printed, saved) comes as after one. A third leaves at once (exit 130) without a report: the way out
 * of a run that cannot end.
 */
import { TERM_SETTLE_MS } from '../child-main.js';
import { exitOf } from '../errors.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Writes to a terminal that has closed fail (EIO, EPIPE): that must not end a run before its report is saved. */
function ignoreClosedTerminal(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EIO' && e.code !== 'EPIPE') throw e;
}

export function stopOnSignals(who: string, stop: (settleMs?: number) => void): { off(): void } {
  let received = 0;
  const say = (line: string) => process.stderr.write(line);
  const on = (signal: NodeJS.Signals) => () => {
    received++;
    if (received > 2) {
      say(`${who}: ${signal} a third time: leaving now, without a report\n`);
      process.exit(exitOf('INTERRUPTED'));
    }
    if (received === 1) {
      const again = signal === 'SIGINT' ? 'Ctrl-C again' : 'a second signal';
      say(`\n${who}: stopping on ${signal}: waiting for what is in flight (${again} to wait no more)\n`);
      stop(signal === 'SIGTERM' ? TERM_SETTLE_MS : undefined);
    } else {
      say(`${who}: ${signal} again: waiting no more; what is still in flight counts as unresolved\n`);
      stop(0);
    }
  };
  const handlers = SIGNALS.map((signal) => [signal, on(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  process.stdout.on('error', ignoreClosedTerminal);
  process.stderr.on('error', ignoreClosedTerminal);
  return {
    off: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
