import type { AsyncLocalStorage } from 'node:async_hooks';

/*
 * Failure isolation of inline Pulumi programs that run at the same time in one process.
 *
 * The problem. The Automation API's inline-program server (@pulumi/pulumi/automation/server.js)
 * runs each program inside `runtime/state.withLocalStorage` (a fresh per-run store in the
 * SDK's process-wide AsyncLocalStorage, `global.asyncLocalStorage`) and, for the run,
 * adds `process.on('uncaughtException' | 'unhandledRejection', handler)`. The handler puts
 * whatever it receives into that run's error set, and the run fails with "One or more errors
 * occurred: …" when the set is not empty. Process events reach every listener, so an
 * error of one program (a throw in an `apply` callback, or the rejections the SDK leaves
 * behind when a program throws) failed every program running at that moment.
 *
 * The fix, at the depth where the error spreads. Node 24 emits both events inside the
 * async context the error came from (the rejecting or throwing context; AsyncContextFrame
 * is Node 24's default), and everything a program does descends from its run's store. So
 * the handlers the server adds from inside a run are not put on the process: they are
 * kept per run store, and one dispatcher per event (on the process only while a run has a
 * handler) hands each error to the handlers of the run whose store is current when it is
 * emitted. An error emitted with no run store (not a program's: the engine's own) still
 * reaches every run, as before; one from a run that has ended is reported as a process
 * warning and reaches no other run. Listeners added outside any run are not touched.
 *
 * Rejected: one worker thread (or process) per program. Workers have their own process
 * events, but a program is a closure (TemplateDefinition.program + params + ctx); a
 * worker would have to re-import the template registry (package templates through the
 * host module hooks, with the fail-closed checks), rebuild the program from its name,
 * forward engine events, progress and abort signals over a port, and load @pulumi/pulumi
 * again per stack — more code and ~0.5 s of start-up per stack, to isolate what the
 * SDK's own per-run store already tells apart.
 *
 * Cost: a Map lookup per emitted error; nothing on the success path (measured: README,
 * "Decisions").
 */

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
type Handler = (...args: unknown[]) => void;

const EVENTS: readonly ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];

/** The Pulumi SDK's per-run store: shared by every copy of the SDK through a global. */
function currentRunStore(): object | undefined {
  const als = (globalThis as { asyncLocalStorage?: AsyncLocalStorage<object> }).asyncLocalStorage;
  return als?.getStore();
}

/** Handlers added from inside runs, by event, then by run store. */
const registered = new Map<ProcessEvent, Map<object, Handler[]>>(EVENTS.map((e) => [e, new Map()]));
/** Run stores that had handlers and removed them all: their late errors reach no other run. */
const ended = new WeakSet<object>();
const dispatchers = new Map<ProcessEvent, Handler>();
let installed = false;

function isIsolatedEvent(event: string | symbol): event is ProcessEvent {
  return event === 'uncaughtException' || event === 'unhandledRejection';
}

function dispatcherFor(event: ProcessEvent, originalOn: typeof process.on): void {
  if (dispatchers.has(event)) return;
  const dispatch: Handler = (...args) => {
    const byRun = registered.get(event) ?? new Map<object, Handler[]>();
    const store = currentRunStore();
    const own = store ? byRun.get(store) : undefined;
    if (own) {
      for (const h of [...own]) h(...args);
      return;
    }
    if (store && ended.has(store)) {
      const err = args[0];
      process.emitWarning(
        `an error of a Pulumi program that has already finished was not given to other programs: ${err instanceof Error ? err.message : String(err)}`,
        'DriftlessIsolationWarning',
      );
      return;
    }
    for (const hs of [...byRun.values()]) for (const h of [...hs]) h(...args);
  };
  dispatchers.set(event, dispatch);
  originalOn.call(process, event, dispatch);
}

function dropDispatcherIfIdle(event: ProcessEvent, originalOff: typeof process.off): void {
  const dispatch = dispatchers.get(event);
  if (!dispatch || (registered.get(event)?.size ?? 0) > 0) return;
  dispatchers.delete(event);
  originalOff.call(process, event, dispatch);
}

/**
 * Makes concurrently running inline programs fail only on their own errors (see the
 * comment at the top of this module). Idempotent; call it before the first program runs.
 */
export function installProgramIsolation(): void {
  if (installed) return;
  installed = true;
  const originalOn = process.on;
  const originalOff = process.off;
  const add = function (this: NodeJS.Process, event: string | symbol, listener: Handler): NodeJS.Process {
    const store = currentRunStore();
    if (!isIsolatedEvent(event) || !store) return originalOn.call(this, event, listener);
    const byRun = registered.get(event) as Map<object, Handler[]>;
    byRun.set(store, [...(byRun.get(store) ?? []), listener]);
    dispatcherFor(event, originalOn);
    return this;
  };
  const remove = function (this: NodeJS.Process, event: string | symbol, listener: Handler): NodeJS.Process {
    if (isIsolatedEvent(event)) {
      const byRun = registered.get(event) as Map<object, Handler[]>;
      // Normally removed from inside the run that added it; any run that holds it otherwise.
      const current = currentRunStore();
      const store = current && byRun.get(current)?.includes(listener) ? current : [...byRun].find(([, hs]) => hs.includes(listener))?.[0];
      const hs = store ? byRun.get(store) : undefined;
      const at = hs?.indexOf(listener) ?? -1;
      if (store && hs && at >= 0) {
        hs.splice(at, 1);
        if (hs.length === 0) {
          byRun.delete(store);
          ended.add(store);
        }
        dropDispatcherIfIdle(event, originalOff);
        return this;
      }
    }
    return originalOff.call(this, event, listener);
  };
  process.on = add as typeof process.on;
  process.addListener = add as typeof process.addListener;
  process.off = remove as typeof process.off;
  process.removeListener = remove as typeof process.removeListener;
}

/** Handlers currently held for runs, per event (for tests). */
export function isolatedHandlerCount(event: ProcessEvent): number {
  let n = 0;
  for (const hs of registered.get(event)?.values() ?? []) n += hs.length;
  return n;
}
