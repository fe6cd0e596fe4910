/**
 * Runs jobs one at a time, in order. A job whose key is already waiting is dropped
 * (a second "sync" request while one waits adds nothing). `close()` refuses new jobs;
 * `idle()` resolves when nothing runs or waits.
 */
export class WorkQueue {
  private readonly waiting: { key: string; job: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly onDepth: (depth: number) => void = () => {}) {}

  /** Adds a job; returns false when the queue is closed or the key already waits. */
  push(key: string, job: () => Promise<void>): boolean {
    if (this.closed || this.waiting.some((w) => w.key === key)) return false;
    this.waiting.push({ key, job });
    this.report();
    if (!this.running) this.running = this.drain();
    return true;
  }

  get depth(): number {
    return this.waiting.length + (this.running !== undefined ? 1 : 0);
  }

  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    this.report();
  }

  idle(): Promise<void> {
    return this.running !== undefined ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  private async drain(): Promise<void> {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      this.report();
      // Jobs handle their own failures; one that throws must not stop the queue.
      await next.job().catch(() => undefined);
    }
    this.running = undefined;
    this.report();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private report(): void {
    this.onDepth(this.depth);
  }
}
