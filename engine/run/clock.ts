/** Injected effects: time and waiting, so retries and lock waits are testable without real delays. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
