/**
 * An engine run (storm, pulse): an EventEmitter for progress listeners that can also be awaited for its report,
 * like autocannon's run(). Subclasses call begin() at the end of their constructor, once their fields exist.
 */
import { EventEmitter } from 'node:events';

export abstract class AwaitableRun<R> extends EventEmitter implements PromiseLike<R> {
  private result!: Promise<R>;

  protected abstract run(): Promise<R>;

  protected begin(): void {
    // A microtask later, so that listeners added right after the constructor hear the run's first events too.
    this.result = Promise.resolve().then(() => this.run());
    this.result.catch(() => undefined); // the awaiting caller sees it
  }

  // biome-ignore lint/suspicious/noThenProperty: being a thenable is the point: `await storm(o)` gives the report
  then<A = R, B = never>(
    ok?: ((r: R) => A | PromiseLike<A>) | null,
    bad?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(ok, bad);
  }
}
