import { ensureLocalStack } from '../engine/localstack/lifecycle.js';
import { benchPlanUnchanged } from './plan-unchanged.js';
import { benchUpOverhead } from './up-overhead.js';

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

const ls = await ensureLocalStack({ port: Number(process.env.DRIFTLESS_BENCH_LOCALSTACK_PORT ?? 4566) });
if (!ls.ok) {
  console.error(`bench (b) needs LocalStack: ${ls.message}`);
  process.exit(1);
}
try {
  const up = await benchUpOverhead(ls.value.endpoint, ITERATIONS);
  console.log(`(b) up of one changed one-queue stack, LocalStack ${ls.value.endpoint}, A/B alternated`);
  console.log(row('    driftless up (load, plan, lock, run, record)', up.driftless, 'ms'));
  console.log(row('    direct Automation API up', up.direct, 'ms'));
  console.log(row('    ratio driftless / direct (pair by pair)', up.ratios, 'x', 2));
} finally {
  await ls.value.stop();
}
