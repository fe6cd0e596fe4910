import { must } from './must.js';

/** Stack name → names of the stacks it depends on (each of them exists). */
export type DependencyMap = ReadonlyMap<string, readonly string[]>;

/** The dependsOn relation of an environment, both ways round. */
export interface DependencyGraph {
  /** Stack → the stacks it needs applied first. */
  dependsOn: Record<string, string[]>;
  /** Stack → the stacks that need it (to re-plan dependents of a changed stack). */
  dependents: Record<string, string[]>;
}

/** Builds both directions of the graph; lists are sorted for stable output. */
export function buildGraph(deps: DependencyMap): DependencyGraph {
  const dependsOn: Record<string, string[]> = {};
  const dependents: Record<string, string[]> = {};
  for (const name of deps.keys()) {
    dependsOn[name] = [...new Set(deps.get(name))].sort();
    dependents[name] = [];
  }
  for (const [name, needs] of Object.entries(dependsOn)) for (const n of needs) dependents[n]?.push(name);
  for (const list of Object.values(dependents)) list.sort();
  return { dependsOn, dependents };
}

/** Tarjan's numbers of a visited stack: its visit order, and the lowest index it reaches. */
interface Visit {
  index: number;
  low: number;
}

/**
 * Every cycle of the graph, one per strongly connected component, each as the list of
 * stacks in dependency order starting at the alphabetically first (`[a, b]` is a → b → a).
 * Iterative Tarjan, so a long chain of stacks cannot exhaust the call stack.
 */
export function findCycles(deps: DependencyMap): string[][] {
  const visits = new Map<string, Visit>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const visit = (node: string): Visit => {
    const v = { index: next, low: next++ };
    visits.set(node, v);
    stack.push(node);
    onStack.add(node);
    return v;
  };
  for (const root of [...deps.keys()].sort()) {
    if (visits.has(root)) continue;
    const work: { node: string; i: number; visit: Visit }[] = [{ node: root, i: 0, visit: visit(root) }];
    for (let frame = work.at(-1); frame !== undefined; frame = work.at(-1)) {
      const edges = deps.get(frame.node) ?? [];
      const to = edges[frame.i];
      if (to !== undefined) {
        frame.i++;
        if (!deps.has(to)) continue;
        const seen = visits.get(to);
        if (seen === undefined) work.push({ node: to, i: 0, visit: visit(to) });
        else if (onStack.has(to)) frame.visit.low = Math.min(frame.visit.low, seen.index);
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) parent.visit.low = Math.min(parent.visit.low, frame.visit.low);
      if (frame.visit.low === frame.visit.index) {
        const component: string[] = [];
        let member: string;
        do {
          member = must(stack.pop(), 'the root of a component is still on the Tarjan stack');
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && (deps.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components
    .map((c) => cycleThrough(deps, c))
    .sort((a, b) => (a.start < b.start ? -1 : 1))
    .map((c) => c.path);
}

/** A shortest cycle inside one (non-empty) component, starting at its first name. */
function cycleThrough(deps: DependencyMap, component: readonly string[]): { start: string; path: string[] } {
  const members: ReadonlySet<string> = new Set(component);
  const start = must([...component].sort()[0], 'a strongly connected component has a member');
  const previous = new Map<string, string>();
  const queue = [start];
  for (const node of queue) {
    for (const to of [...(deps.get(node) ?? [])].sort()) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [node];
        for (let first = node; first !== start; ) {
          first = must(previous.get(first), 'every member but the start was reached from another');
          path.unshift(first);
        }
        return { start, path };
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return { start, path: [start] };
}

/**
 * Stacks in an order that applies every dependency first; among stacks ready at the same
 * time, alphabetical. Stacks on a cycle never become ready and are left out.
 */
export function topologicalOrder(deps: DependencyMap): string[] {
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [name, needs] of deps) {
    const known = [...new Set(needs)].filter((n) => deps.has(n));
    waiting.set(name, known.length);
    for (const n of known) dependents.set(n, [...(dependents.get(n) ?? []), name]);
  }
  const ready = [...waiting]
    .filter(([, n]) => n === 0)
    .map(([name]) => name)
    .sort();
  const order: string[] = [];
  for (let name = ready.shift(); name !== undefined; name = ready.shift()) {
    order.push(name);
    for (const d of dependents.get(name) ?? []) {
      const left = must(waiting.get(d), 'every dependent is a stack of the map') - 1;
      waiting.set(d, left);
      if (left === 0) {
        ready.push(d);
        ready.sort();
      }
    }
  }
  return order;
}
