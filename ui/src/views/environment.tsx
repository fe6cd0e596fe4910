import type { VNode } from 'preact';
import { useMemo } from 'preact/hooks';
import type { EnvironmentView, StackView } from '../../../engine/http/dashboard-types.js';
import { useJson } from '../api.js';
import { Badge, Mono, Show } from '../components.js';
import { StackGraph } from '../graph.js';
import { ago, short, when } from '../format.js';
import { href } from '../router.js';
import type { RunRecord } from '../types.js';

/** An environment's stacks on the dependsOn graph, coloured by state, with a list and the selected stack's recent runs. */
export function EnvironmentPage({
  environment,
  stack,
  version,
}: {
  environment: string;
  stack?: string | undefined;
  version: number;
}): VNode {
  const view = useJson<EnvironmentView>(`/api/environments/${encodeURIComponent(environment)}/stacks`, version);
  return (
    <section aria-labelledby="env-title">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.fleet()}>Fleet</a> / <span aria-current="page">{environment}</span>
      </nav>
      <h1 id="env-title">{environment}</h1>
      <Show loaded={view}>{(v) => <EnvironmentBody view={v} stack={stack} version={version} />}</Show>
    </section>
  );
}

function EnvironmentBody({ view, stack, version }: { view: EnvironmentView; stack?: string | undefined; version: number }): VNode {
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const s of view.stacks) c[s.state] = (c[s.state] ?? 0) + 1;
    return c;
  }, [view.stacks]);
  const selected = view.stacks.find((s) => s.name === stack);
  return (
    <>
      <p class="muted">
        {view.deployBranch ? `deploy branch ${view.deployBranch}` : ''}
        {view.headRevision ? (
          <>
            {' '}
            at <Mono title={view.headRevision}>{short(view.headRevision)}</Mono>
          </>
        ) : null}{' '}
        · {view.stacks.length} stacks ·{' '}
        {Object.entries(counts).map(([state, n]) => (
          <span key={state} class="count">
            <Badge state={state} label={`${n} ${state}`} />{' '}
          </span>
        ))}
        · <a href={href.drift(view.environment)}>drift</a>
      </p>
      <div class="env-layout">
        <StackGraph stacks={view.stacks} selected={stack} onSelect={(s) => (location.hash = href.environment(view.environment, s))} />
        <aside class="side">
          {selected ? (
            <StackPanel environment={view.environment} stack={selected} version={version} />
          ) : (
            <p class="muted">Choose a stack in the graph or the list.</p>
          )}
          <StackList environment={view.environment} stacks={view.stacks} selected={stack} />
        </aside>
      </div>
    </>
  );
}

function StackList({ environment, stacks, selected }: { environment: string; stacks: StackView[]; selected?: string | undefined }): VNode {
  return (
    <div class="stack-list table-wrap">
      <table data-testid="stack-list">
        <caption>Stacks</caption>
        <thead>
          <tr>
            <th scope="col">Stack</th>
            <th scope="col">State</th>
            <th scope="col">Applied</th>
          </tr>
        </thead>
        <tbody>
          {stacks.map((s) => (
            <tr key={s.name} data-stack={s.name} aria-current={s.name === selected ? 'true' : undefined}>
              <th scope="row">
                <a href={href.environment(environment, s.name)}>{s.name}</a>
              </th>
              <td data-field="state">
                <Badge state={s.state} />
              </td>
              <td>
                <Mono title={s.appliedRevision}>{short(s.appliedRevision)}</Mono>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function StackPanel({ environment, stack, version }: { environment: string; stack: StackView; version: number }): VNode {
  const runs = useJson<RunRecord[]>(
    `/api/runs?environment=${encodeURIComponent(environment)}&stack=${encodeURIComponent(stack.name)}&limit=10`,
    version,
  );
  return (
    <div class="panel" data-testid="stack-panel" data-stack={stack.name}>
      <h2>{stack.name}</h2>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <Badge state={stack.state} />
        </dd>
        <dt>Template</dt>
        <dd>{stack.template || '—'}</dd>
        <dt>Depends on</dt>
        <dd>{stack.dependsOn.length > 0 ? stack.dependsOn.map((d) => <a href={href.environment(environment, d)}>{d} </a>) : 'nothing'}</dd>
        <dt>Applied</dt>
        <dd>
          <Mono title={stack.appliedRevision}>{short(stack.appliedRevision)}</Mono> {stack.appliedAt ? `(${ago(stack.appliedAt)})` : ''}
        </dd>
        {stack.drift ? (
          <>
            <dt>Drift</dt>
            <dd>
              <a href={href.drift(environment, stack.name)}>
                {stack.drift.drifted && !stack.drift.remediated
                  ? `${stack.drift.resourceCount} resource(s) drifted${stack.drift.since ? ` since ${when(stack.drift.since)}` : ''}`
                  : stack.drift.remediated
                    ? 'remediated'
                    : 'none'}
              </a>{' '}
              <span class="muted small">checked {ago(stack.drift.checkedAt)}</span>
            </dd>
          </>
        ) : null}
        {stack.lastError ? (
          <>
            <dt>Last error</dt>
            <dd>
              <pre class="error-text">{stack.lastError}</pre>
            </dd>
          </>
        ) : null}
      </dl>
      <h3>Recent runs</h3>
      <Show loaded={runs}>
        {(rs) =>
          rs.length === 0 ? (
            <p class="muted">No runs recorded.</p>
          ) : (
            <ul class="runs">
              {rs.map((r) => (
                <li key={r.id}>
                  <a href={href.run(r.id)}>
                    #{r.id} {r.operation}
                  </a>{' '}
                  <Badge state={r.result} /> <Mono title={r.revision}>{short(r.revision)}</Mono>{' '}
                  <span class="muted small" title={r.finishedAt}>
                    {ago(r.finishedAt)}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </div>
  );
}
