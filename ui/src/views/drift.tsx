import type { VNode } from 'preact';
import { useJson } from '../api.js';
import { Badge, Mono, Show } from '../components.js';
import { ago, short, value, when } from '../format.js';
import { href } from '../router.js';
import type { DriftRecord, DriftReportJson } from '../types.js';

interface StackDrift {
  stack: string;
  latest: DriftRecord;
  since: string | undefined;
}

/** Latest check per stack, and since when it has been drifted (the uninterrupted run of drifted checks). */
function perStack(records: DriftRecord[]): StackDrift[] {
  const by = new Map<string, DriftRecord[]>();
  for (const r of records) by.set(r.stack, [...(by.get(r.stack) ?? []), r]);
  return [...by.entries()]
    .map(([stack, list]) => {
      const latest = list[0] as DriftRecord;
      let since: string | undefined;
      if (latest.drifted && !latest.remediated)
        for (const r of list) {
          if (!r.drifted || r.remediated) break;
          since = r.checkedAt;
        }
      return { stack, latest, since };
    })
    .sort(
      (a, b) =>
        Number(b.latest.drifted && !b.latest.remediated) - Number(a.latest.drifted && !a.latest.remediated) || (a.stack < b.stack ? -1 : 1),
    );
}

/** Desired (Git) against actual (cloud) values per field, ignored fields marked, since when. */
export function DriftPage({ environment, stack, version }: { environment: string; stack?: string | undefined; version: number }): VNode {
  const records = useJson<DriftRecord[]>(
    `/api/drift?environment=${encodeURIComponent(environment)}${stack ? `&stack=${encodeURIComponent(stack)}` : ''}&limit=500`,
    version,
  );
  return (
    <section aria-labelledby="drift-title">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.fleet()}>Fleet</a> / <a href={href.environment(environment)}>{environment}</a> /{' '}
        <span aria-current="page">drift</span>
      </nav>
      <h1 id="drift-title">Drift of {stack ? `${environment}/${stack}` : environment}</h1>
      <Show loaded={records}>
        {(rs) =>
          rs.length === 0 ? (
            <p class="muted">No drift check recorded yet.</p>
          ) : (
            <div class="drift-list">
              {perStack(rs).map((s) => (
                <StackDriftCard key={s.stack} environment={environment} s={s} />
              ))}
            </div>
          )
        }
      </Show>
    </section>
  );
}

function StackDriftCard({ environment, s }: { environment: string; s: StackDrift }): VNode {
  const report = s.latest.report as DriftReportJson | undefined;
  const state = s.latest.drifted && !s.latest.remediated ? 'drifted' : s.latest.remediated ? 'synced' : 'clean';
  return (
    <article class="panel" data-testid="drift-stack" data-stack={s.stack} data-state={state}>
      <h2>
        <a href={href.environment(environment, s.stack)}>{s.stack}</a>{' '}
        <Badge
          state={state === 'clean' ? 'synced' : state}
          label={state === 'synced' ? 'remediated' : state === 'clean' ? 'no drift' : 'drifted'}
        />
      </h2>
      <p class="muted small">
        checked {when(s.latest.checkedAt)} ({ago(s.latest.checkedAt)}) at <Mono title={s.latest.revision}>{short(s.latest.revision)}</Mono>
        {s.since ? <> · drifted since {when(s.since)}</> : null}
        {report?.ignoredFields ? <> · {report.ignoredFields} ignored field(s)</> : null}
      </p>
      {(report?.resources ?? []).map((r) => (
        <div class="resource" key={r.urn}>
          <h3>
            {r.type} <Mono>{r.name}</Mono> {r.kind === 'deleted' ? <Badge state="failed" label="deleted out of band" /> : null}
            {r.ignored ? <Badge state="ignored" label="ignored" /> : null}
          </h3>
          {r.fields.length > 0 ? (
            <div class="table-wrap">
              <table data-testid="drift-fields">
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Desired (Git)</th>
                    <th scope="col">Actual (cloud)</th>
                    <th scope="col">Counts</th>
                  </tr>
                </thead>
                <tbody>
                  {r.fields.map((f) => (
                    <tr key={f.path} data-field={f.path} class={f.ignored ? 'ignored' : undefined}>
                      <th scope="row">
                        <Mono>{f.path}</Mono>
                      </th>
                      <td data-value="desired">
                        <Mono>{value(f.desired)}</Mono>
                      </td>
                      <td data-value="actual">
                        <Mono>{value(f.actual)}</Mono>
                      </td>
                      <td>
                        {f.ignored ? <Badge state="ignored" label="ignored (drift.ignore)" /> : <Badge state="drifted" label="drift" />}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ))}
    </article>
  );
}
