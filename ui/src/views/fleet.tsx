import type { VNode } from 'preact';
import type { FleetEnvironment } from '../../../engine/http/dashboard-types.js';
import { useJson } from '../api.js';
import { Badge, Mono, Show } from '../components.js';
import { ago, short, when } from '../format.js';
import { href } from '../router.js';

/** Every environment: sync, drift and health, the last applied revision and who made it, and why it fails. */
export function FleetView({ version }: { version: number }): VNode {
  const fleet = useJson<FleetEnvironment[]>('/api/fleet', version);
  return (
    <section aria-labelledby="fleet-title">
      <h1 id="fleet-title">Fleet</h1>
      <Show loaded={fleet}>
        {(envs) =>
          envs.length === 0 ? (
            <p class="muted">No environment yet: the daemon has not read a deploy branch.</p>
          ) : (
            <div class="table-wrap">
              <table class="fleet" data-testid="fleet">
                <thead>
                  <tr>
                    <th scope="col">Environment</th>
                    <th scope="col">Sync</th>
                    <th scope="col">Health</th>
                    <th scope="col">Drift</th>
                    <th scope="col">Last applied</th>
                    <th scope="col">Author</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {envs.map((e) => (
                    <tr data-environment={e.environment} key={e.environment}>
                      <th scope="row">
                        <a href={href.environment(e.environment)}>{e.environment}</a>
                        <div class="muted small">
                          {e.deployBranch} @ <Mono title={e.headRevision}>{short(e.headRevision)}</Mono>
                        </div>
                      </th>
                      <td data-field="sync">
                        <Badge state={e.sync} />
                      </td>
                      <td data-field="health">
                        <Badge state={e.health} />
                        {e.stacks.running > 0 ? <span class="small"> {e.stacks.running} running</span> : null}
                      </td>
                      <td data-field="drift">
                        <a href={href.drift(e.environment)}>
                          {e.drift.driftedStacks > 0
                            ? `${e.drift.driftedStacks} drifted`
                            : e.drift.checkedStacks > 0
                              ? 'none'
                              : 'not checked'}
                        </a>
                        {e.drift.lastCheckedAt ? <div class="muted small">checked {ago(e.drift.lastCheckedAt)}</div> : null}
                      </td>
                      <td data-field="revision">
                        {e.lastApplied ? (
                          <>
                            <Mono title={e.lastApplied.revision}>{short(e.lastApplied.revision)}</Mono>
                            <div class="muted small" title={e.lastApplied.at}>
                              {when(e.lastApplied.at)}
                            </div>
                          </>
                        ) : (
                          <span class="muted">nothing applied</span>
                        )}
                      </td>
                      <td data-field="author">
                        {e.lastApplied?.author ?? '—'}
                        {e.lastApplied?.signer ? <div class="muted small">signed by {e.lastApplied.signer.principal}</div> : null}
                      </td>
                      <td data-field="reason" class="reason">
                        {e.reason ?? ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </section>
  );
}
