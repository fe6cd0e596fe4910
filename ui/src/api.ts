import { useEffect, useState } from 'preact/hooks';

/** A JSON response, or the reason there is none. */
export type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; message: string };

/** GETs JSON from the daemon (same origin, its cookie or basic credentials included). */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  return (await res.json()) as T;
}

/** Loads `path` again whenever it or `version` (bumped by live events) changes; keeps the last value while reloading. */
export function useJson<T>(path: string | undefined, version: number): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (!path) return;
    let live = true;
    getJson<T>(path).then(
      (value) => live && setLoaded({ state: 'ok', value }),
      (e: unknown) => live && setLoaded({ state: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  return loaded;
}

/** What the daemon sends on /api/events. */
export interface LiveEvent {
  type: string;
  environment?: string;
  stack?: string;
  run?: { environment: string; stack: string };
}

/**
 * One EventSource for the page. Each event bumps a version (at most every 200 ms), which
 * makes the visible view reload its data: no polling, no reload of the page.
 */
export function useLiveVersion(): { version: number; connected: boolean; last: LiveEvent | undefined } {
  const [version, setVersion] = useState(0);
  const [connected, setConnected] = useState(false);
  const [last, setLast] = useState<LiveEvent | undefined>(undefined);
  useEffect(() => {
    const source = new EventSource('/api/events');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bump = (e: MessageEvent<string>) => {
      try {
        setLast(JSON.parse(e.data) as LiveEvent);
      } catch {
        // keep the previous event
      }
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        setVersion((v) => v + 1);
      }, 200);
    };
    const types = ['run-started', 'run-finished', 'drift-checked', 'reconcile-started', 'reconcile-finished'];
    for (const t of types) source.addEventListener(t, bump as EventListener);
    source.onopen = () => {
      setConnected(true);
      // Anything missed while disconnected is picked up by one reload.
      setVersion((v) => v + 1);
    };
    source.onerror = () => setConnected(false);
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, []);
  return { version, connected, last };
}
