/**
 * One queue per machine: slow transitions (launch, stop, destroy, …) run one
 * at a time, in order, in the background, while the API answers at once.
 */
export class MachineQueues {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly running = new Set<string>();

  /** Run `fn` after the machine's queued operations; its error is returned to the caller. */
  serialize(id: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(id) ?? Promise.resolve();
    const run = prev.then(async () => {
      this.running.add(id);
      try {
        await fn();
      } finally {
        this.running.delete(id);
      }
    });
    const tail = run.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return run;
  }

  /** Queue background work; a failure goes to `onError` (never unhandled). */
  enqueue(id: string, fn: () => Promise<void>, onError: (e: unknown) => void): void {
    void this.serialize(id, fn).catch(onError);
  }

  /** True while the machine has queued or running work. */
  busy(id: string): boolean {
    return this.running.has(id) || this.queues.has(id);
  }

  /** Resolves once the machine's queue (as of now) has drained. */
  settled(id: string): Promise<void> {
    return this.queues.get(id) ?? Promise.resolve();
  }

  /** Resolves once every queue (as of now) has drained. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }
}
