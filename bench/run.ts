import { ensureLocalStack } from '../engine/localstack/lifecycle.js';
import { benchPlanUnchanged } from './plan-unchanged.js';
import { printPushLatency } from './push-latency.js';
import { printReplicas } from './replicas.js';
import { benchPrescreenSweep } from './prescreen-sweep.js';
import { benchUpOverhead } from './up-overhead.js';
import { printDashboardRender } from './dashboard-render.js';

/** `npm run bench`: every figure measured in this one run, printed with min/median/max. */
function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}

function row(label: string, xs: number[], unit: string, digits = 0): string {
  const { min, median, max } = stats(xs);
  const f = (n: number) => n.toFixed(digits);
  return `${label.padEnd(52)} median ${f(median).padStart(7)} ${unit}   (min ${f(min)}, max ${f(max)}, n=${xs.length})`;
}

const STACKS = Number(process.env.BENCH_STACKS ?? 500);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5);
// BENCH_ONLY runs one LocalStack figure: sweep (c), push (d, after b) or replicas (f, alone).
const only = process.env.BENCH_ONLY;
if (only !== undefined && !['sweep', 'push', 'replicas'].includes(only)) {
  console.error(`BENCH_ONLY=${only}: expected sweep, push or replicas (or unset for every figure)`);
  process.exit(1);
}

if (only !== 'replicas') {
  const plan = await benchPlanUnchanged(STACKS, ITERATIONS);
  console.log(`(a) plan an environment of ${plan.stacks} stack files with nothing changed`);
  console.log(row('    load + validate + plan + reconcile (no Pulumi)', plan.runs, 'ms'));
  console.log(
    row(
      '    per stack',
      plan.runs.map((r) => r / plan.stacks),
      'ms',
      2,
    ),
  );
  console.log(`    Pulumi operations started: ${plan.pulumiOperations}`);
  await printDashboardRender(STACKS, ITERATIONS);
}

const ls = await ensureLocalStack({ port: Number(process.env.DRIFTLESS_BENCH_LOCALSTACK_PORT ?? 4566) });
if (!ls.ok) {
  console.error(`bench (b) needs LocalStack: ${ls.message}`);
  process.exit(1);
}
try {
  if (only !== 'sweep' && only !== 'replicas') await runUpOverhead();
  if (only === undefined || only === 'sweep') await runSweep();
  if (only === undefined || only === 'push') await printPushLatency(ls.value.endpoint, ITERATIONS, row);
  if (only === undefined || only === 'replicas') await printReplicas(ls.value.endpoint, ITERATIONS, row);
} finally {
  await ls.value.stop();
}

async function runUpOverhead(): Promise<void> {
  if (!ls.ok) return;
  const up = await benchUpOverhead(ls.value.endpoint, ITERATIONS);
  console.log(`(b) up of one changed one-queue stack, LocalStack ${ls.value.endpoint}, A/B alternated`);
  console.log(row('    driftless up (load, plan, lock, run, record)', up.driftless, 'ms'));
  console.log(row('    direct Automation API up', up.direct, 'ms'));
  console.log(row('    ratio driftless / direct (pair by pair)', up.ratios, 'x', 2));
}

async function runSweep(): Promise<void> {
  if (!ls.ok) return;
  const sizes = (process.env.BENCH_SWEEP_SIZES ?? '100,500').split(',').map(Number);
  console.log(`(c) drift sweep of N stacks (1-3 resources each), LocalStack ${ls.value.endpoint}: pre-screen vs per-stack previewRefresh`);
  const results = await benchPrescreenSweep(ls.value.endpoint, sizes, (l) => console.log(l));
  for (const r of results) {
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const refresh =
      r.refreshMeasured === r.stacks
        ? `${s(r.refreshMs)} (measured, all ${r.stacks})`
        : `${s(r.refreshMs)} (EXTRAPOLATED from ${r.refreshMeasured} stacks measured in ${s(r.refreshMeasuredMs)})`;
    console.log(`    N=${r.stacks} (${r.resources} resources)`);
    console.log(
      `      pre-screen sweep           ${s(r.prescreenMs)}, ${r.awsRequests} AWS API requests, ${r.prescreenInSync}/${r.stacks} cleared without previewRefresh`,
    );
    console.log(`      per-stack previewRefresh   ${refresh}`);
    console.log(`      ratio refresh / pre-screen ${r.ratio.toFixed(1)}x`);
  }
}
