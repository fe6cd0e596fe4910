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

/**
 * Every cycle of the graph, one per strongly connected component, each as the list of
 * stacks in dependency order starting at the alphabetically first (`[a, b]` is a → b → a).
 * Iterative Tarjan, so a long chain of stacks cannot exhaust the call stack.
 */
export function findCycles(deps: DependencyMap): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of [...deps.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = deps.get(frame.node) ?? [];
      if (frame.i < edges.length) {
        const to = edges[frame.i++]!;
        if (!deps.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, i: 0 });
        } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && (deps.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((c) => cycleThrough(deps, new Set(c))).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** A shortest cycle inside one component, starting at its first name. */
function cycleThrough(deps: DependencyMap, members: ReadonlySet<string>): string[] {
  const start = [...members].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const node = queue[k]!;
    for (const to of [...(deps.get(node) ?? [])].sort()) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start];
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
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const d of dependents.get(name) ?? []) {
      const left = waiting.get(d)! - 1;
      waiting.set(d, left);
      if (left === 0) {
        ready.push(d);
        ready.sort();
      }
    }
  }
  return order;
}
