import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { installProgramIsolation, isolatedHandlerCount } from '../../../engine/pulumi/program-isolation.js';

/**
 * The dispatch rules of program isolation, with the SDK's per-run store simulated: the
 * same global AsyncLocalStorage the Pulumi SDK creates, one store object per run. (The
 * real server.js with concurrent programs: test/integration/program-isolation.test.ts.)
 */
describe('program isolation', () => {
  const g = globalThis as { asyncLocalStorage?: AsyncLocalStorage<object> };
  g.asyncLocalStorage ??= new AsyncLocalStorage<object>();
  const als = g.asyncLocalStorage;
  installProgramIsolation();
  const tick = () => new Promise((r) => setTimeout(r, 20));

  /** A simulated run: registers a handler inside its store, as server.js does. */
  function run(name: string, seen: string[]) {
    const store = { name };
    const handler = (err: unknown) => seen.push(`${name}:${err instanceof Error ? err.message : String(err)}`);
    als.run(store, () => process.on('unhandledRejection', handler));
    return {
      reject: (message: string) => als.run(store, () => void Promise.reject(new Error(message))),
      end: () => als.run(store, () => process.off('unhandledRejection', handler)),
    };
  }

  it('hands each rejection to the run it came from only', async () => {
    const seen: string[] = [];
    const a = run('a', seen);
    const b = run('b', seen);
    expect(isolatedHandlerCount('unhandledRejection')).toBe(2);
    a.reject('from a');
    b.reject('from b');
    await tick();
    expect(seen.sort()).toEqual(['a:from a', 'b:from b']);
    a.end();
    b.end();
    expect(isolatedHandlerCount('unhandledRejection')).toBe(0);
  });

  it('a rejection of no run reaches every run, as before', async () => {
    const seen: string[] = [];
    const a = run('a', seen);
    const b = run('b', seen);
    // Outside any store (the engine's own code), and handled by a listener of its own too.
    const outside = (err: unknown) => seen.push(`outside:${(err as Error).message}`);
    process.on('unhandledRejection', outside);
    void Promise.reject(new Error('engine'));
    await tick();
    process.off('unhandledRejection', outside);
    a.end();
    b.end();
    expect(seen.sort()).toEqual(['a:engine', 'b:engine', 'outside:engine']);
  });

  it('a late rejection of a finished run reaches no other run and becomes a warning', async () => {
    const seen: string[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const a = run('a', seen);
    const b = run('b', seen);
    a.end();
    a.reject('late from a');
    await tick();
    b.end();
    process.off('warning', onWarning);
    expect(seen).toEqual([]);
    expect(warnings.some((w) => w.includes('late from a'))).toBe(true);
  });
});
