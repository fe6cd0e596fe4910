import type { VNode } from 'preact';
import type { RunDetail } from '../../../engine/http/dashboard-types.js';
import { useJson } from '../api.js';
import { Badge, Mono, Show } from '../components.js';
import { short, value, when } from '../format.js';
import { href } from '../router.js';
import type { RunRecord } from '../types.js';

/** One run: what it did to which resources (field by field), its error, its commit and who made it. */
export function RunPage({ id, version }: { id: number; version: number }): VNode {
  const detail = useJson<RunDetail<RunRecord>>(`/api/runs/${id}`, version);
  return (
    <section aria-labelledby="run-title">
      <Show loaded={detail}>
        {({ run, steps }) => (
          <>
            <nav class="crumbs" aria-label="Breadcrumb">
              <a href={href.fleet()}>Fleet</a> / <a href={href.environment(run.environment)}>{run.environment}</a> /{' '}
              <a href={href.environment(run.environment, run.stack)}>{run.stack}</a> / <span aria-current="page">run #{run.id}</span>
            </nav>
            <h1 id="run-title">
              Run #{run.id}: {run.operation} of {run.stack} <Badge state={run.result} />
            </h1>
            <dl class="facts">
              <dt>Commit</dt>
              <dd>
                <Mono title={run.revision}>{run.revision}</Mono>
              </dd>
              <dt>Author</dt>
              <dd>{run.author ?? '—'}</dd>
              <dt>Committer</dt>
              <dd>{run.committer ?? '—'}</dd>
              <dt>Signer</dt>
              <dd>
                {run.signer ? `${run.signer.principal} (${run.signer.format} ${run.signer.fingerprint})` : 'not signed by a trusted key'}
              </dd>
              <dt>Trigger</dt>
              <dd>{run.trigger}</dd>
              <dt>Started</dt>
              <dd>{when(run.startedAt)}</dd>
              <dt>Duration</dt>
              <dd>{(run.durationMs / 1000).toFixed(1)} s</dd>
              <dt>Why</dt>
              <dd>{run.reason ?? '—'}</dd>
              <dt>Changes</dt>
              <dd>
                {Object.entries(run.changes)
                  .filter(([op]) => op !== 'same')
                  .map(([op, n]) => `${op} ${n}`)
                  .join(', ') || 'none'}
              </dd>
            </dl>
            {run.error ? (
              <>
                <h2>Error{run.errorKind ? ` (${run.errorKind})` : ''}</h2>
                <pre class="error-text" data-testid="run-error">
                  {run.error}
                </pre>
              </>
            ) : null}
            <h2>Steps</h2>
            {!steps || steps.length === 0 ? (
              <p class="muted">{steps ? 'No resource changed.' : 'No steps recorded for this run.'}</p>
            ) : (
              <ol class="steps" data-testid="run-steps">
                {steps.map((s) => (
                  <li key={`${s.op}:${s.type}:${s.name}`}>
                    <Badge state={s.op === 'delete' ? 'failed' : s.op === 'create' ? 'synced' : 'drifted'} label={s.op} /> {s.type}{' '}
                    <Mono>{s.name}</Mono>
                    {s.fields.length > 0 ? (
                      <div class="table-wrap">
                        <table>
                          <thead>
                            <tr>
                              <th scope="col">Field</th>
                              <th scope="col">Before</th>
                              <th scope="col">After</th>
                            </tr>
                          </thead>
                          <tbody>
                            {s.fields.map((f) => (
                              <tr key={f.path}>
                                <th scope="row">
                                  <Mono>{f.path}</Mono>
                                </th>
                                <td>
                                  <Mono>{value(f.before)}</Mono>
                                </td>
                                <td>
                                  <Mono>{value(f.after)}</Mono>
                                </td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </div>
                    ) : null}
                  </li>
                ))}
              </ol>
            )}
            <p>
              <a href={href.environment(run.environment, run.stack)}>Back to {run.stack}</a> · revision <Mono>{short(run.revision)}</Mono>
            </p>
          </>
        )}
      </Show>
    </section>
  );
}
