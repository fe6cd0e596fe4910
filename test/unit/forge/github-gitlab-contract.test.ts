import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ForgeReporter } from '../../../engine/daemon/forge-reporter.js';
import type { PreviewReport } from '../../../engine/daemon/preview-report.js';
import { COMMENT_LIMITS, fitComment, type Forge, PREVIEW_MARKER } from '../../../engine/forge/forge.js';
import { GithubForge } from '../../../engine/forge/github.js';
import { GitlabForge } from '../../../engine/forge/gitlab.js';
import { createLogger } from '../../../engine/log/logger.js';
import { SqliteDaemonStore } from '../../../engine/store/sqlite-daemon-store.js';
import { SqliteForgeOutbox } from '../../../engine/store/sqlite-forge-outbox.js';
import { tempDir } from '../../support/temp.js';

interface Captured {
  method: string;
  url: URL;
  body: Record<string, unknown> | undefined;
  headers: Headers;
}

/** A fetch that records every request and answers from `respond`. */
function capturingFetch(respond: (c: Captured) => unknown): { fetch: typeof fetch; requests: Captured[] } {
  const requests: Captured[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input, init);
    const text = init?.body !== undefined ? String(init.body) : req.body ? await req.text() : '';
    const c: Captured = {
      method: (init?.method ?? req.method).toUpperCase(),
      url: new URL(req.url),
      body: text ? JSON.parse(text) : undefined,
      headers: new Headers(init?.headers ?? req.headers),
    };
    requests.push(c);
    return new Response(JSON.stringify(respond(c) ?? {}), {
      status: c.method === 'POST' ? 201 : 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fake as typeof fetch, requests };
}

/** Drives every operation of the Forge interface once, both branches of upsertComment included. */
async function exercise(forge: Forge): Promise<void> {
  await forge.setStatus({
    sha: 'abc123',
    context: 'driftless/dev',
    state: 'success',
    description: '2 to update, 1 to create',
    targetUrl: 'https://d.example/api/reports/feature/x',
  });
  await forge.setStatus({ sha: 'abc123', context: 'driftless/dev', state: 'pending', description: 'previewing…' });
  expect(await forge.openMergeRequests('feature/x')).toEqual([expect.objectContaining({ number: 7, branch: 'feature/x', state: 'open' })]);
  expect(await forge.mergeRequestsOfCommit('def456')).toEqual([expect.objectContaining({ number: 7, state: 'merged' })]);
  expect(await forge.upsertComment(7, PREVIEW_MARKER, `${PREVIEW_MARKER}\nnew`)).toEqual({ id: 12, created: false });
  expect(await forge.upsertComment(8, PREVIEW_MARKER, `${PREVIEW_MARKER}\nfirst`)).toEqual({ id: 99, created: true });
}

// ---------------------------------------------------------------------------------------
// GitHub: every request must be an operation of GitHub's published OpenAPI description.

interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: Record<string, unknown> } }> };
}
const spec = JSON.parse(readFileSync(join(process.cwd(), 'node_modules/@octokit/openapi/generated/api.github.com.deref.json'), 'utf8')) as {
  paths: Record<string, Record<string, OpenApiOperation>>;
};

function githubOperation(method: string, pathname: string): { template: string; op: OpenApiOperation } | undefined {
  for (const [template, ops] of Object.entries(spec.paths)) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const op = ops[method.toLowerCase()];
    if (op && re.test(pathname)) return { template, op };
  }
  return undefined;
}

describe('the GitHub adapter speaks GitHub’s published OpenAPI description', () => {
  const { fetch, requests } = capturingFetch((c) => {
    const p = c.url.pathname;
    if (p.endsWith('/commits/def456/pulls'))
      return [{ number: 7, state: 'closed', merged_at: '2026-12-01T00:00:00Z', head: { ref: 'feature/x', sha: 'abc123' } }];
    if (c.method === 'GET' && p.endsWith('/pulls')) return [{ number: 7, state: 'open', head: { ref: 'feature/x', sha: 'abc123' } }];
    if (c.method === 'GET' && p.endsWith('/issues/7/comments'))
      return [
        { id: 11, body: 'lgtm' },
        { id: 12, body: `${PREVIEW_MARKER}\nold` },
      ];
    if (c.method === 'GET' && p.endsWith('/issues/8/comments')) return [{ id: 13, body: 'first!' }];
    return { id: 99 };
  });
  const forge = new GithubForge({ repository: 'acme/envs', token: 'ghp_not_a_real_token', fetch });

  it('matches an operation (method, path, query, required body fields) for every request', async () => {
    await exercise(forge);
    expect(requests.length).toBeGreaterThanOrEqual(8);
    const seen = new Set<string>();
    for (const r of requests) {
      const found = githubOperation(r.method, r.url.pathname);
      expect(found, `${r.method} ${r.url.pathname} is no operation of api.github.com.json`).toBeDefined();
      if (!found) continue;
      seen.add(`${r.method} ${found.template}`);
      const query = new Set((found.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
      for (const k of r.url.searchParams.keys()) expect(query, `${found.template}: query ${k}`).toContain(k);
      const schema = found.op.requestBody?.content['application/json']?.schema;
      if (r.body) {
        expect(schema, `${found.template} takes no body`).toBeDefined();
        for (const f of schema?.required ?? []) expect(r.body, `${found.template}: required ${f}`).toHaveProperty(f);
        for (const k of Object.keys(r.body)) expect(Object.keys(schema?.properties ?? {}), `${found.template}: field ${k}`).toContain(k);
      }
      expect(r.headers.get('authorization')).toMatch(/^token ghp_not_a_real_token$|^bearer /i);
    }
    expect([...seen].sort()).toEqual([
      'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'GET /repos/{owner}/{repo}/pulls',
      'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'POST /repos/{owner}/{repo}/statuses/{sha}',
    ]);
    const status = requests.find((r) => r.url.pathname.endsWith('/statuses/abc123'));
    expect(status?.body).toEqual({
      state: 'success',
      context: 'driftless/dev',
      description: '2 to update, 1 to create',
      target_url: 'https://d.example/api/reports/feature/x',
    });
    expect(requests.find((r) => r.method === 'GET' && r.url.pathname.endsWith('/pulls'))?.url.searchParams.get('head')).toBe(
      'acme:feature/x',
    );
  });
});

// ---------------------------------------------------------------------------------------
// GitLab: no OpenAPI description of GitLab's REST API can be had offline, so the endpoints
// the adapter uses are written down here from GitLab's API documentation.

const GITLAB_DOCUMENTED: { method: string; path: string; required: string[]; body: string[]; query: string[]; doc: string }[] = [
  {
    method: 'POST',
    path: '/projects/:id/statuses/:sha',
    required: ['state'],
    body: ['state', 'ref', 'name', 'context', 'target_url', 'description', 'coverage', 'pipeline_id'],
    query: [],
    doc: 'https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit',
  },
  {
    method: 'GET',
    path: '/projects/:id/merge_requests',
    required: [],
    body: [],
    query: ['state', 'source_branch', 'target_branch', 'per_page', 'page', 'order_by', 'sort'],
    doc: 'https://docs.gitlab.com/api/merge_requests/#list-project-merge-requests',
  },
  {
    method: 'GET',
    path: '/projects/:id/repository/commits/:sha/merge_requests',
    required: [],
    body: [],
    query: ['per_page', 'page'],
    doc: 'https://docs.gitlab.com/api/commits/#list-merge-requests-associated-with-a-commit',
  },
  {
    method: 'GET',
    path: '/projects/:id/merge_requests/:merge_request_iid/notes',
    required: [],
    body: [],
    query: ['sort', 'order_by', 'per_page', 'page'],
    doc: 'https://docs.gitlab.com/api/notes/#list-all-merge-request-notes',
  },
  {
    method: 'POST',
    path: '/projects/:id/merge_requests/:merge_request_iid/notes',
    required: ['body'],
    body: ['body', 'created_at', 'internal', 'merge_request_diff_head_sha'],
    query: [],
    doc: 'https://docs.gitlab.com/api/notes/#create-new-merge-request-note',
  },
  {
    method: 'PUT',
    path: '/projects/:id/merge_requests/:merge_request_iid/notes/:note_id',
    required: ['body'],
    body: ['body', 'confidential'],
    query: [],
    doc: 'https://docs.gitlab.com/api/notes/#modify-existing-merge-request-note',
  },
];

describe('the GitLab adapter speaks GitLab’s documented REST API', () => {
  const { fetch, requests } = capturingFetch((c) => {
    const p = c.url.pathname;
    if (p.endsWith('/merge_requests') && p.includes('/repository/commits/'))
      return [{ iid: 7, state: 'merged', source_branch: 'feature/x', sha: 'abc123' }];
    if (p.endsWith('/merge_requests')) return [{ iid: 7, state: 'opened', source_branch: 'feature/x', sha: 'abc123' }];
    if (c.method === 'GET' && p.endsWith('/merge_requests/7/notes'))
      return [
        { id: 11, body: 'lgtm' },
        { id: 12, body: `${PREVIEW_MARKER}\nold` },
      ];
    if (c.method === 'GET' && p.endsWith('/merge_requests/8/notes')) return [];
    return { id: 99 };
  });
  const forge = new GitlabForge({
    baseUrl: 'https://gitlab.example.com',
    repository: 'acme/platform/envs',
    token: 'glpat-not-a-real-token',
    fetch,
  });

  it('matches a documented endpoint (method, path, query, required body fields) for every request', async () => {
    await exercise(forge);
    const seen = new Set<string>();
    for (const r of requests) {
      expect(r.url.pathname.startsWith('/api/v4/')).toBe(true);
      const path = r.url.pathname.slice('/api/v4'.length);
      const doc = GITLAB_DOCUMENTED.find(
        (d) => d.method === r.method && new RegExp(`^${d.path.replace(/:[a-z_]+/g, '[^/]+')}$`).test(path),
      );
      expect(doc, `${r.method} ${path} is not in the documented table`).toBeDefined();
      if (!doc) continue;
      seen.add(`${doc.method} ${doc.path}`);
      expect(path.startsWith('/projects/acme%2Fplatform%2Fenvs/')).toBe(true);
      for (const k of r.url.searchParams.keys()) expect(doc.query, `${doc.path}: query ${k} (${doc.doc})`).toContain(k);
      for (const f of doc.required) expect(r.body, `${doc.path}: required ${f} (${doc.doc})`).toHaveProperty(f);
      for (const k of Object.keys(r.body ?? {})) expect(doc.body, `${doc.path}: field ${k} (${doc.doc})`).toContain(k);
      expect(r.headers.get('private-token')).toBe('glpat-not-a-real-token');
    }
    expect(seen.size).toBe(GITLAB_DOCUMENTED.length);
    const status = requests.find((r) => r.url.pathname.endsWith('/statuses/abc123'));
    expect(status?.body).toEqual({
      state: 'success',
      name: 'driftless/dev',
      description: '2 to update, 1 to create',
      target_url: 'https://d.example/api/reports/feature/x',
    });
    expect(
      requests.find((r) => r.method === 'GET' && r.url.pathname.endsWith('/merge_requests'))?.url.searchParams.get('source_branch'),
    ).toBe('feature/x');
    expect(requests.find((r) => r.url.pathname.endsWith('/statuses/abc123') && r.body?.state !== 'success')?.body?.state).toBe('running');
  });
});

// ---------------------------------------------------------------------------------------

function hugeReport(): PreviewReport {
  const steps = Array.from({ length: 400 }, (_, i) => ({
    urn: `urn:pulumi:dev::p::driftless-aws:sqs:Queue::q${i}`,
    type: 'driftless-aws:sqs:Queue',
    name: `queue-${i}`,
    op: 'update',
    fields: Array.from({ length: 5 }, (_, j) => ({
      path: `tags.key${j}`,
      kind: 'changed' as const,
      before: 'x'.repeat(20),
      after: 'y'.repeat(20),
    })),
  }));
  return {
    branch: 'feature/huge',
    revision: 'a'.repeat(40),
    author: 'Ada Ops <ada@example.com>',
    generatedAt: '2026-12-01T00:00:00.000Z',
    changes: true,
    environments: [
      {
        environment: 'dev',
        valid: true,
        messages: [],
        preview: {
          environment: 'dev',
          revision: 'a'.repeat(40),
          operation: 'preview',
          pulumiOperations: 1,
          changes: true,
          stacks: [
            { stack: 'queues', outcome: 'previewed', reason: 'spec changed', changes: { update: 400 }, steps, durationMs: 1, attempts: 1 },
          ],
        },
      },
    ],
  };
}

describe('a report longer than the forge allows', () => {
  it('fitComment cuts at the limit and links the full report', () => {
    const body = `${PREVIEW_MARKER}\n${'line of the report\n'.repeat(5000)}`;
    const cut = fitComment(body, COMMENT_LIMITS.github, 'https://d.example/api/reports/feature/huge');
    expect(body.length).toBeGreaterThan(65_536);
    expect(cut.length).toBeLessThanOrEqual(65_536);
    expect(cut.startsWith(PREVIEW_MARKER)).toBe(true);
    expect(cut).toContain('[Full report](https://d.example/api/reports/feature/huge)');
    expect(fitComment('short', 65_536, undefined)).toBe('short');
  });

  it('the GitHub comment of a >65,536-character report is cut, with a link to the full report', async () => {
    const dir = tempDir('forge-cut');
    const { fetch, requests } = capturingFetch((c) =>
      c.method === 'GET' && c.url.pathname.endsWith('/pulls')
        ? [{ number: 3, state: 'open', head: { ref: 'feature/huge', sha: 'a'.repeat(40) } }]
        : c.method === 'GET'
          ? []
          : { id: 5 },
    );
    const store = new SqliteDaemonStore(join(dir, 'driftless.db'));
    const outbox = new SqliteForgeOutbox(join(dir, 'driftless.db'));
    const reporter = new ForgeReporter({
      forge: new GithubForge({ repository: 'acme/envs', token: 't', fetch }),
      outbox,
      daemonStore: store,
      log: createLogger({ level: 'silent', pretty: false }),
      notifier: { notify: async () => {} },
      publicUrl: () => 'https://d.example',
      retry: { initialMs: 10, maxMs: 10 },
      rehandle: () => {},
    });
    await reporter.previewReported({ json: hugeReport(), markdown: '' });
    await new Promise((r) => setTimeout(r, 20));
    await reporter.idle();
    const comment = requests.find((r) => r.method === 'POST' && r.url.pathname.endsWith('/issues/3/comments'));
    const body = String(comment?.body?.body);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.length).toBeGreaterThan(60_000);
    expect(body).toContain('[Full report](https://d.example/api/reports/feature/huge)');
    expect(await outbox.list()).toEqual([]);
    await reporter.stop();
    await outbox.close();
    await store.close();
  });
});
