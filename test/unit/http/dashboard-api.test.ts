import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonCommand } from '../../../engine/cli/commands/daemon.js';
import { loadDaemonConfig } from '../../../engine/config/daemon-config.js';
import { DriftQuery, parseQuery, RunsQuery } from '../../../engine/http/api-queries.js';
import { isLoopbackHost, resolveHttpCredentials } from '../../../engine/http/auth.js';
import { DashboardEvents, ObservedRunStore, type DashboardEvent } from '../../../engine/http/events.js';
import { createHttpServer, type HttpServerDeps } from '../../../engine/http/server.js';
import { githubSignature } from '../../../engine/http/webhook-auth.js';
import { createLogger } from '../../../engine/log/logger.js';
import { DaemonMetrics } from '../../../engine/metrics/daemon-metrics.js';
import type { NewRunRecord } from '../../../engine/model/index.js';
import { SqliteDaemonStore } from '../../../engine/store/sqlite-daemon-store.js';
import { SqliteDashboardStore } from '../../../engine/store/sqlite-dashboard-store.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { tempDir } from '../../support/temp.js';

const TOKEN = 'a-test-token-of-32-characters-xx';

function run(i: number): NewRunRecord {
  return {
    environment: 'dev',
    stack: `s${i % 3}`,
    revision: 'a'.repeat(40),
    trigger: 'commit',
    operation: 'up',
    result: 'succeeded',
    changes: {},
    durationMs: 1,
    errorKind: undefined,
    error: undefined,
    reason: undefined,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    author: 'Ada Ops <ada@example.com>',
  };
}

describe('the API the dashboard reads', () => {
  const dir = tempDir('dashboard-api');
  const file = join(dir, 'driftless.db');
  const events = new DashboardEvents();
  const seen: DashboardEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const runs = new ObservedRunStore(new SqliteRunStore(file), events);
  const daemonStore = new SqliteDaemonStore(file);
  const dashboardStore = new SqliteDashboardStore(file);
  const webhookCalls: string[] = [];
  const deps = (auth?: HttpServerDeps['auth']): HttpServerDeps => ({
    log: createLogger({ level: 'silent', pretty: false }),
    metrics: new DaemonMetrics(),
    runs,
    daemonStore,
    isReady: () => true,
    webhookSecrets: { github: 'github-secret', gitlab: undefined },
    onWebhook: (provider) => void webhookCalls.push(provider),
    dashboard: { dashboardStore, events, assetsDir: dir },
    auth,
  });
  let open: FastifyInstance;
  let locked: FastifyInstance;

  beforeAll(async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>driftless</title>');
    for (let i = 0; i < 7; i++) await runs.recordRun(run(i));
    await daemonStore.saveEnvironment({
      environment: 'dev',
      deployBranch: 'main',
      revision: 'a'.repeat(40),
      valid: true,
      messages: [],
      updatedAt: '',
    });
    await daemonStore.recordAttempt('dev', 'main', 'a'.repeat(40), 'succeeded', new Date());
    open = await createHttpServer(deps());
    locked = await createHttpServer(deps({ token: TOKEN, basic: { user: 'ops', password: 'pass-word' }, protectMetrics: false }));
  });
  afterAll(async () => {
    await open.close();
    await locked.close();
    await runs.close();
    await daemonStore.close();
    await dashboardStore.close();
  });

  it.each([
    ['limit=-1', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=99999999999', 'limit'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=1.5', 'limit'],
    ['before=x', 'before'],
    ['revision=HEAD', 'revision'],
    ['lmit=5', 'lmit'],
    ['limit=1&limit=2', 'limit'],
  ])('refuses /api/runs?%s with a 400 naming %s', async (query, parameter) => {
    const res = await open.inject(`/api/runs?${query}`);
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; problems: { parameter: string }[] };
    expect(body.problems.map((p) => p.parameter)).toContain(parameter);
    expect(body.error).toMatch(new RegExp(`^${parameter}: `));
  });

  it('words the problem like the YAML messages', () => {
    const r = parseQuery(RunsQuery, { limit: 'abc' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.error).toBe('limit: must be a whole number from 1 to 500 (rows per page), got "abc"');
    const unknown = parseQuery(DriftQuery, { stak: 'x' });
    if (!unknown.ok) expect(unknown.problem.error).toMatch(/^stak: unknown parameter "stak"/);
    expect(parseQuery(RunsQuery, {})).toEqual({ ok: true, value: { limit: 100 } });
  });

  it('pages runs newest first with a before cursor and a Link header', async () => {
    const first = await open.inject('/api/runs?environment=dev&limit=3');
    expect(first.statusCode).toBe(200);
    const page1 = first.json() as { id: number }[];
    expect(page1.map((r) => r.id)).toEqual([7, 6, 5]);
    expect(first.headers.link).toBe('</api/runs?environment=dev&limit=3&before=5>; rel="next"');
    const page2 = (await open.inject('/api/runs?environment=dev&limit=3&before=5')).json() as { id: number }[];
    expect(page2.map((r) => r.id)).toEqual([4, 3, 2]);
    const last = await open.inject('/api/runs?environment=dev&limit=3&before=2');
    expect((last.json() as unknown[]).length).toBe(1);
    expect(last.headers.link).toBeUndefined();
  });

  it('serves the fleet, a run and the page, and tells subscribers about recorded runs', async () => {
    const fleet = (await open.inject('/api/fleet')).json() as { environment: string; sync: string; lastApplied?: { author?: string } }[];
    expect(fleet).toMatchObject([{ environment: 'dev', sync: 'synced', lastApplied: { author: 'Ada Ops <ada@example.com>' } }]);
    expect(((await open.inject('/api/runs/3')).json() as { run: { id: number } }).run.id).toBe(3);
    expect((await open.inject('/api/runs/abc')).statusCode).toBe(400);
    expect((await open.inject('/api/runs/999')).statusCode).toBe(404);
    const page = await open.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(seen.filter((e) => e.type === 'run-finished')).toHaveLength(7);
  });

  it('with credentials: / and /api/ need them, probes, /metrics and signed webhooks stay open', async () => {
    for (const path of ['/', '/api/runs', '/api/fleet', '/api/environments', '/api/events', '/assets/app.js'])
      expect((await locked.inject(path)).statusCode, path).toBe(401);
    expect((await locked.inject({ url: '/api/runs', headers: { authorization: 'Bearer wrong-token-wrong-token' } })).statusCode).toBe(401);
    expect((await locked.inject({ url: '/api/runs', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    const basic = `Basic ${Buffer.from('ops:pass-word').toString('base64')}`;
    expect((await locked.inject({ url: '/api/fleet', headers: { authorization: basic } })).statusCode).toBe(200);
    const wrongBasic = `Basic ${Buffer.from('ops:nope').toString('base64')}`;
    expect((await locked.inject({ url: '/api/fleet', headers: { authorization: wrongBasic } })).statusCode).toBe(401);
    expect((await locked.inject('/healthz')).statusCode).toBe(200);
    expect((await locked.inject('/readyz')).statusCode).toBe(200);
    expect((await locked.inject('/metrics')).statusCode).toBe(200);

    const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main' }));
    const hook = await locked.inject({
      method: 'POST',
      url: '/api/webhooks/github',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': githubSignature('github-secret', body),
      },
    });
    expect(hook.statusCode).toBe(202);
    expect(webhookCalls).toContain('github');
    const unsigned = await locked.inject({
      method: 'POST',
      url: '/api/webhooks/github',
      payload: body,
      headers: { 'x-github-event': 'push' },
    });
    expect(unsigned.statusCode).toBe(401);
  });

  it('signs a browser in with the token: an HttpOnly cookie that is not the token', async () => {
    const form = await locked.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(form.statusCode).toBe(401);
    expect(form.body).toContain('action="/login"');
    const bad = await locked.inject({
      method: 'POST',
      url: '/login',
      payload: 'token=nope',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(bad.statusCode).toBe(401);
    const login = await locked.inject({
      method: 'POST',
      url: '/login',
      payload: `token=${TOKEN}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0] ?? '';
    expect((await locked.inject({ url: '/api/fleet', headers: { cookie: session } })).statusCode).toBe(200);
  });

  it('protects /metrics when asked', async () => {
    const app = await createHttpServer(deps({ token: TOKEN, protectMetrics: true }));
    try {
      expect((await app.inject('/metrics')).statusCode).toBe(401);
      expect((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('listening beyond loopback', () => {
  const repo = { DRIFTLESS_REPOSITORY: '/tmp/nowhere' };

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.53'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.5', 'example.com'].some(isLoopbackHost)).toBe(false);
  });

  it('refuses a non-loopback address without credentials, naming what to set', async () => {
    const r = await loadDaemonConfig(undefined, { ...repo, DRIFTLESS_HTTP_HOST: '0.0.0.0' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.messages.map((m) => m.message).join('\n')).toMatch(/http\.host 0\.0\.0\.0 .*DRIFTLESS_HTTP_TOKEN/);
    const ok = await loadDaemonConfig(undefined, { ...repo, DRIFTLESS_HTTP_HOST: '0.0.0.0', DRIFTLESS_HTTP_TOKEN: TOKEN });
    expect(ok.ok).toBe(true);
  });

  it('refuses a configured variable that is unset, and a short token, without printing a value', () => {
    const unset = resolveHttpCredentials({ tokenFromEnv: 'MY_TOKEN', protectMetrics: false }, {});
    expect(unset.problems).toEqual(['environment variable MY_TOKEN (http.auth.tokenFromEnv, the API token) is not set']);
    const short = resolveHttpCredentials({ protectMetrics: false }, { DRIFTLESS_HTTP_TOKEN: 'abc' });
    expect(short.problems[0]).toMatch(/too short/);
    expect(short.problems.join()).not.toContain('abc');
  });

  it('`driftless daemon` exits 1 with the message', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, repo, { DRIFTLESS_HTTP_HOST: '0.0.0.0' });
    delete process.env.DRIFTLESS_HTTP_TOKEN;
    const err: string[] = [];
    try {
      const code = await daemonCommand.run([], { out: () => undefined, err: (t) => err.push(t) });
      expect(code).toBe(1);
      expect(err.join('')).toMatch(/http\.host: http\.host 0\.0\.0\.0 accepts connections from other machines.*\n.*not started/);
    } finally {
      process.env = saved;
    }
  });
});
