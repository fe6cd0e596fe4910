import { EventEmitter } from 'node:events';
import type { AlertState, DriftRecord, LockAttempt, NewRunRecord, RunQuery, RunRecord, StackStatus } from '../model/index.js';
import { reportedSteps } from '../report/format-reconcile.js';
import type { ReconcileRequest, ReconcileResult, Reconciler } from '../run/reconcile.js';
import type { DashboardStore } from '../store/dashboard-store.js';
import type { RunStore } from '../store/run-store.js';

/** What the dashboard is told about, live (`GET /api/events`). */
export type DashboardEvent =
  | { type: 'run-started'; environment: string; stack: string; purpose: string; at: string }
  | { type: 'run-finished'; run: RunRecord }
  | { type: 'drift-checked'; environment: string; stack: string; id: number; drifted: boolean; remediated: boolean; checkedAt: string }
  | { type: 'reconcile-started'; environment: string; revision: string; operation: string; at: string }
  | { type: 'reconcile-finished'; environment: string; revision: string; operation: string; at: string };

/** The daemon's live events: a typed emitter with no limit on listeners (one per open dashboard). */
export class DashboardEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit(e: DashboardEvent): void {
    this.emitter.emit('event', e);
  }

  subscribe(listener: (e: DashboardEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}

/**
 * The run store, telling `events` when a stack operation starts (its lock is taken), when
 * a run is recorded and when a drift check is recorded. Every part of the engine records
 * through the store, so this one place sees reconciles, previews and drift checks alike.
 */
export class ObservedRunStore implements RunStore {
  /** The last run recorded per environment/stack/revision/operation, so a reconcile's steps find their run. */
  private readonly lastRun = new Map<string, number>();

  constructor(
    private readonly inner: RunStore,
    private readonly events: DashboardEvents,
  ) {}

  static runKey(environment: string, stack: string, revision: string, operation: string): string {
    return `${environment}\u0000${stack}\u0000${revision}\u0000${operation}`;
  }

  /** The id of the run last recorded for this key (then forgotten). */
  takeRunId(key: string): number | undefined {
    const id = this.lastRun.get(key);
    this.lastRun.delete(key);
    return id;
  }

  async recordRun(run: NewRunRecord): Promise<RunRecord> {
    const recorded = await this.inner.recordRun(run);
    this.lastRun.set(ObservedRunStore.runKey(run.environment, run.stack, run.revision, run.operation), recorded.id);
    if (this.lastRun.size > 10_000) this.lastRun.clear();
    this.events.emit({ type: 'run-finished', run: recorded });
    return recorded;
  }
  async listRuns(query?: RunQuery): Promise<RunRecord[]> {
    return this.inner.listRuns(query);
  }
  async getStatus(environment: string, stack: string): Promise<StackStatus | undefined> {
    return this.inner.getStatus(environment, stack);
  }
  async listStatuses(environment: string): Promise<StackStatus[]> {
    return this.inner.listStatuses(environment);
  }
  async saveStatus(status: StackStatus): Promise<void> {
    await this.inner.saveStatus(status);
  }
  async deleteStatus(environment: string, stack: string): Promise<void> {
    await this.inner.deleteStatus(environment, stack);
  }
  async tryLock(environment: string, stack: string, purpose: string): Promise<LockAttempt> {
    const attempt = await this.inner.tryLock(environment, stack, purpose);
    if (attempt.acquired) this.events.emit({ type: 'run-started', environment, stack, purpose, at: new Date().toISOString() });
    return attempt;
  }
  async unlock(environment: string, stack: string): Promise<void> {
    await this.inner.unlock(environment, stack);
  }
  async recordDrift(record: Omit<DriftRecord, 'id'>): Promise<DriftRecord> {
    const recorded = await this.inner.recordDrift(record);
    this.events.emit({
      type: 'drift-checked',
      environment: recorded.environment,
      stack: recorded.stack,
      id: recorded.id,
      drifted: recorded.drifted,
      remediated: recorded.remediated,
      checkedAt: recorded.checkedAt,
    });
    return recorded;
  }
  async listDrift(query?: { environment?: string; stack?: string; limit?: number; before?: number }): Promise<DriftRecord[]> {
    return this.inner.listDrift(query);
  }
  async getAlert(key: string): Promise<AlertState | undefined> {
    return this.inner.getAlert(key);
  }
  async setAlert(state: AlertState): Promise<void> {
    await this.inner.setAlert(state);
  }
  async clearAlert(key: string): Promise<void> {
    await this.inner.clearAlert(key);
  }
  async close(): Promise<void> {
    await this.inner.close();
  }
}

/**
 * The reconciler the daemon drives, also keeping what the dashboard draws: the dependsOn
 * graph of each environment at each deploy, and the field-level steps of each run. The
 * reconciler itself is unchanged (the same instance does the work).
 */
export function observeReconciler(
  reconciler: Reconciler,
  deps: { store: ObservedRunStore; dashboard: DashboardStore; events: DashboardEvents; onError(e: unknown): void },
): Reconciler {
  const observed = Object.create(reconciler) as Reconciler;
  const reconcile = async (req: ReconcileRequest): Promise<ReconcileResult> => {
    const at = () => new Date().toISOString();
    try {
      if (req.operation === 'up' && !req.only)
        await deps.dashboard.saveGraph({
          environment: req.environment,
          revision: req.revision,
          stacks: req.stacks.map((s) => ({ name: s.desired.name, template: s.desired.template, dependsOn: [...s.desired.dependsOn] })),
          updatedAt: at(),
        });
    } catch (e) {
      deps.onError(e);
    }
    deps.events.emit({
      type: 'reconcile-started',
      environment: req.environment,
      revision: req.revision,
      operation: req.operation,
      at: at(),
    });
    try {
      const result = await reconciler.reconcile(req);
      try {
        for (const s of result.stacks) {
          const id = deps.store.takeRunId(ObservedRunStore.runKey(req.environment, s.stack, req.revision, req.operation));
          if (id !== undefined && s.steps.length > 0)
            await deps.dashboard.saveSteps(
              id,
              reportedSteps(s.steps).map((step) => ({ op: step.op, type: step.type, name: step.name, fields: step.fields })),
            );
        }
      } catch (e) {
        deps.onError(e);
      }
      return result;
    } finally {
      deps.events.emit({
        type: 'reconcile-finished',
        environment: req.environment,
        revision: req.revision,
        operation: req.operation,
        at: at(),
      });
    }
  };
  Object.defineProperty(observed, 'reconcile', { value: reconcile });
  return observed;
}
