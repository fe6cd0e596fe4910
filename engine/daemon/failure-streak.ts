/** What a reconcile outcome means for alerting on repeated failures. */
export type StreakSignal = { alert: 'failing-repeatedly'; failures: number } | { alert: 'recovered'; failures: number } | undefined;

/**
 * Counts consecutive failed reconciles per environment. It says `failing-repeatedly`
 * once, when the streak reaches the threshold (not again while it goes on), and
 * `recovered` once, at the first success after such an alert. Pure apart from its counts.
 */
export class FailureStreaks {
  private readonly streaks = new Map<string, number>();

  constructor(private readonly threshold = 3) {}

  record(environment: string, failed: boolean): StreakSignal {
    const before = this.streaks.get(environment) ?? 0;
    if (!failed) {
      this.streaks.delete(environment);
      return before >= this.threshold ? { alert: 'recovered', failures: before } : undefined;
    }
    const now = before + 1;
    this.streaks.set(environment, now);
    return now === this.threshold ? { alert: 'failing-repeatedly', failures: now } : undefined;
  }
}
