import type { ComponentChildren, VNode } from 'preact';
import type { Loaded } from './api.js';

const TONE: Record<string, string> = {
  synced: 'ok',
  healthy: 'ok',
  succeeded: 'ok',
  clean: 'ok',
  syncing: 'info',
  running: 'info',
  drifted: 'warn',
  pending: 'muted',
  unknown: 'muted',
  skipped: 'muted',
  failed: 'bad',
  failing: 'bad',
  rejected: 'bad',
  blocked: 'bad',
  ignored: 'muted',
};

/** A state as a word in a coloured pill: the word carries the meaning, the colour only repeats it. */
export function Badge({ state, label }: { state: string; label?: string }): VNode {
  return (
    <span class={`badge tone-${TONE[state] ?? 'muted'}`} data-state={state}>
      {label ?? state}
    </span>
  );
}

/** Shows a loading line, the error, or the content. */
export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }): VNode {
  if (loaded.state === 'loading')
    return (
      <p class="muted" aria-busy="true">
        Loading…
      </p>
    );
  if (loaded.state === 'error')
    return (
      <p class="error" role="alert">
        Could not load: {loaded.message}
      </p>
    );
  return <>{children(loaded.value)}</>;
}

/** A code value (revision, path). */
export function Mono({ children, title }: { children: ComponentChildren; title?: string | undefined }): VNode {
  return (
    <code class="mono" title={title}>
      {children}
    </code>
  );
}
