import { render, type VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useLiveVersion } from './api.js';
import { href, type Route, useRoute } from './router.js';
import { DriftPage } from './views/drift.js';
import { EnvironmentPage } from './views/environment.js';
import { FleetView } from './views/fleet.js';
import { PreviewsPage } from './views/previews.js';
import { RunPage } from './views/run.js';

function View({ route, version }: { route: Route; version: number }): VNode {
  switch (route.view) {
    case 'fleet':
      return <FleetView version={version} />;
    case 'environment':
      return <EnvironmentPage environment={route.environment} stack={route.stack} version={version} />;
    case 'run':
      return <RunPage id={route.id} version={version} />;
    case 'drift':
      return <DriftPage environment={route.environment} stack={route.stack} version={version} />;
    case 'previews':
      return <PreviewsPage branch={route.branch} version={version} />;
    case 'missing':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing at <code>#{route.path}</code>. <a href={href.fleet()}>Back to the fleet</a>.
          </p>
        </section>
      );
  }
}

function App(): VNode {
  const route = useRoute();
  const live = useLiveVersion();
  const main = useRef<HTMLElement>(null);
  const viewKey = route.view === 'environment' || route.view === 'drift' ? `${route.view}:${route.environment}` : route.view;
  // A new view moves focus to its content, as a page load would (selecting a stack does not).
  useEffect(() => {
    main.current?.focus({ preventScroll: false });
  }, [viewKey]);
  const nav = (to: string, label: string, active: boolean) => (
    <a href={to} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <header class="top">
        <a class="brand" href={href.fleet()}>
          driftless
        </a>
        <nav aria-label="Views">
          {nav(href.fleet(), 'Fleet', route.view === 'fleet')}
          {nav(href.previews(), 'Previews', route.view === 'previews')}
        </nav>
        <span class={`live ${live.connected ? 'on' : 'off'}`} role="status" aria-live="polite" data-testid="live">
          {live.connected ? 'live' : 'reconnecting…'}
        </span>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <View route={route} version={live.version} />
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
