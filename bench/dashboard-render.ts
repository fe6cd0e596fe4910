import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardAssetsDir } from '../engine/http/dashboard.js';
import { DashboardEvents } from '../engine/http/events.js';
import { createHttpServer } from '../engine/http/server.js';
import { createLogger } from '../engine/log/logger.js';
import { DaemonMetrics } from '../engine/metrics/daemon-metrics.js';
import { openDaemonStores } from '../engine/daemon/daemon-stores.js';
import { projectRoot } from '../engine/toolchain/paths.js';

const silentLog = () => createLogger({ level: 'silent', pretty: false });

/** The flags the dashboard's browser runs with: headless, offline-quiet, in a fresh profile. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's chromium, or `$DRIFTLESS_CHROMIUM`. */
export const chromiumPath = (): string => process.env.DRIFTLESS_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches chromium headless. playwright's launch() gives every browser a fresh, temporary
 * user-data-dir of its own (and refuses a `--user-data-dir` argument), removed on close.
 */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  return { browser, close: () => browser.close() };
}

/** Builds dist/ui when it is missing (the bench and the tests may run before `npm run build`). */
export async function ensureDashboardBuilt(force = false): Promise<void> {
  if (!force && existsSync(join(dashboardAssetsDir, 'index.html'))) return;
  const mod = (await import(pathToFileURL(join(projectRoot, 'ui', 'build.mjs')).href)) as { buildUi(): Promise<unknown> };
  await mod.buildUi();
}

/**
 * Fills a state folder with one environment of `count` stacks in ~12 dependency layers
 * (each stack after the first layer depends on one or two of the layer above), every
 * stack applied, one in ten drifted, a few failed; returns the stores' file.
 */
export async function seedLargeEnvironment(dir: string, environment: string, count: number): Promise<void> {
  const { runs, daemon, dashboard, close } = await openDaemonStores(undefined, process.env, dir, silentLog());
  try {
    const revision = 'b'.repeat(40);
    const at = new Date().toISOString();
    const perLayer = Math.ceil(count / 12);
    const name = (i: number) => `stack-${String(i).padStart(4, '0')}`;
    const stacks = Array.from({ length: count }, (_, i) => {
      const layer = Math.floor(i / perLayer);
      const above = (layer - 1) * perLayer;
      const dependsOn = layer === 0 ? [] : [name(above + (i % perLayer)), ...(i % 3 === 0 ? [name(above + ((i * 7) % perLayer))] : [])];
      return { name: name(i), template: 'queue', dependsOn: [...new Set(dependsOn)].filter((d) => d !== name(i)) };
    });
    await dashboard.saveGraph({ environment, revision, stacks, updatedAt: at });
    await daemon.saveEnvironment({ environment, deployBranch: 'main', revision, valid: true, messages: [], updatedAt: at });
    await daemon.recordAttempt(environment, 'main', revision, 'succeeded', new Date());
    for (const [i, s] of stacks.entries()) {
      const failed = i % 97 === 13;
      await runs.saveStatus({
        environment,
        stack: s.name,
        applied: { specHash: 'x', templateVersion: '1.0.0', dependenciesHash: 'y', revision, outputs: {}, at },
        lastResult: failed ? 'failed' : 'succeeded',
        lastRevision: revision,
        lastError: failed ? 'transient: throttled by the provider' : undefined,
      });
      if (i % 10 === 0)
        await runs.recordDrift({
          environment,
          stack: s.name,
          revision,
          checkedAt: at,
          drifted: i % 20 === 0,
          resourceCount: i % 20 === 0 ? 1 : 0,
          remediated: false,
          report: {},
        });
    }
  } finally {
    await close();
  }
}

/** Serves the dashboard over a seeded state folder; the caller closes it. */
export async function serveSeededDashboard(count: number): Promise<{ url: string; environment: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'driftless-dashboard-bench-'));
  const environment = 'bench';
  await seedLargeEnvironment(dir, environment, count);
  const stores = await openDaemonStores(undefined, process.env, dir, silentLog());
  const { runs, daemon: daemonStore, dashboard: dashboardStore } = stores;
  const app = await createHttpServer({
    log: silentLog(),
    metrics: new DaemonMetrics(),
    runs,
    daemonStore,
    isReady: () => true,
    webhookSecrets: { github: undefined, gitlab: undefined },
    onWebhook: () => undefined,
    dashboard: { dashboardStore, events: new DashboardEvents() },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    environment,
    close: async () => {
      await app.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Milliseconds the browser takes to draw the graph view of a `count`-stack environment,
 * from the data's arrival to the first painted frame (window.__driftlessRenderMs, measured
 * with performance.now in the page), once per fresh page load.
 */
export async function benchDashboardRender(count = 500, iterations = 5): Promise<{ stacks: number; runs: number[] }> {
  await ensureDashboardBuilt();
  const served = await serveSeededDashboard(count);
  const chrome = await launchChromium();
  const runs: number[] = [];
  try {
    const context = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 } });
    for (let i = 0; i < iterations; i++) {
      const page = await context.newPage();
      await page.goto(`${served.url}/#/env/${served.environment}`);
      runs.push(await renderMsOf(page));
      await page.close();
    }
  } finally {
    await chrome.close();
    await served.close();
  }
  return { stacks: count, runs };
}

/** Waits for the graph view's measurement (window.__driftlessRenderMs) and reads it. */
export async function renderMsOf(page: Page): Promise<number> {
  type Measured = { __driftlessRenderMs?: number };
  await page.waitForFunction(() => (globalThis as Measured).__driftlessRenderMs !== undefined, undefined, { timeout: 30_000 });
  return page.evaluate(() => (globalThis as Measured).__driftlessRenderMs ?? Number.NaN);
}

/** `npm run bench`'s lines for the dashboard. */
export async function printDashboardRender(count = 500, iterations = 5): Promise<void> {
  const r = await benchDashboardRender(count, iterations);
  const s = [...r.runs].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)] ?? Number.NaN;
  console.log(`(e) dashboard graph view of a ${r.stacks}-stack environment in headless chromium (performance.now in the page)`);
  console.log(
    `    data to first painted frame                          median ${median.toFixed(0).padStart(7)} ms   (min ${(s[0] ?? 0).toFixed(0)}, max ${(s[s.length - 1] ?? 0).toFixed(0)}, n=${s.length})`,
  );
}
