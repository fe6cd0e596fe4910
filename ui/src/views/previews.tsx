import type { VNode } from 'preact';
import { useJson } from '../api.js';
import { Badge, Mono, Show } from '../components.js';
import { short, when } from '../format.js';
import { Markdown } from '../markdown.js';
import { href } from '../router.js';
import type { PreviewReportJson } from '../types.js';

/** Branches with a preview, and one branch's report: the same Markdown as the merge-request comment, rendered safely. */
export function PreviewsPage({ branch, version }: { branch?: string | undefined; version: number }): VNode {
  const branches = useJson<string[]>('/api/reports', version);
  return (
    <section aria-labelledby="previews-title">
      <h1 id="previews-title">Previews</h1>
      <div class="env-layout previews">
        <nav aria-label="Branches with a preview" class="side">
          <Show loaded={branches}>
            {(bs) =>
              bs.length === 0 ? (
                <p class="muted">No branch or merge request has a preview.</p>
              ) : (
                <ul class="branches">
                  {bs.map((b) => (
                    <li key={b}>
                      <a href={href.previews(b)} aria-current={b === branch ? 'page' : undefined}>
                        {b}
                      </a>
                    </li>
                  ))}
                </ul>
              )
            }
          </Show>
        </nav>
        <div>{branch ? <Report branch={branch} version={version} /> : <p class="muted">Choose a branch.</p>}</div>
      </div>
    </section>
  );
}

function Report({ branch, version }: { branch: string; version: number }): VNode {
  const report = useJson<PreviewReportJson>(`/api/reports/${branch.split('/').map(encodeURIComponent).join('/')}`, version);
  return (
    <Show loaded={report}>
      {(r) => (
        <article class="panel" data-testid="preview-report">
          <p class="muted small">
            {r.branch} @ <Mono title={r.revision}>{short(r.revision)}</Mono> by {r.author} · {when(r.generatedAt)} ·{' '}
            <Badge state={r.changes ? 'drifted' : 'synced'} label={r.changes ? 'changes' : 'no changes'} />
          </p>
          <Markdown source={r.markdown} />
        </article>
      )}
    </Show>
  );
}
