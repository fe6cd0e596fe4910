/** A node to place: its name and the names it depends on. */
export interface LayoutInput {
  name: string;
  dependsOn: readonly string[];
}

/** Where each node goes. Dependencies sit above their dependents. */
export type Positions = Map<string, { x: number; y: number }>;

/**
 * A layered layout in O(nodes + edges): each node's layer is the length of its longest
 * dependency chain, nodes are ordered within a layer by the mean position of their
 * dependencies (one barycentre pass, which untangles most crossings), and a layer wider
 * than `maxPerRow` wraps onto more rows. Cycles (refused by the loader anyway) are cut.
 */
export function layeredLayout(nodes: readonly LayoutInput[], opts: { dx?: number; dy?: number; maxPerRow?: number } = {}): Positions {
  const dx = opts.dx ?? 170;
  const dy = opts.dy ?? 90;
  const maxPerRow = opts.maxPerRow ?? 24;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (name: string): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    let d = 0;
    for (const dep of byName.get(name)?.dependsOn ?? []) if (byName.has(dep)) d = Math.max(d, depth(dep) + 1);
    visiting.delete(name);
    layer.set(name, d);
    return d;
  };
  const layers: string[][] = [];
  for (const n of nodes) {
    const d = depth(n.name);
    const at = layers[d] ?? [];
    at.push(n.name);
    layers[d] = at;
  }
  const order = new Map<string, number>();
  const positions: Positions = new Map();
  let row = 0;
  for (const names of layers) {
    if (!names) continue;
    const keyed = names.map((name, i) => {
      const deps = (byName.get(name)?.dependsOn ?? []).map((d) => order.get(d)).filter((x): x is number => x !== undefined);
      return { name, key: deps.length > 0 ? deps.reduce((a, b) => a + b, 0) / deps.length : i / Math.max(1, names.length - 1) };
    });
    keyed.sort((a, b) => a.key - b.key || (a.name < b.name ? -1 : 1));
    const width = Math.min(maxPerRow, keyed.length);
    keyed.forEach((k, i) => {
      const r = Math.floor(i / maxPerRow);
      const c = i % maxPerRow;
      order.set(k.name, width <= 1 ? 0.5 : c / (width - 1));
      positions.set(k.name, { x: (c - (width - 1) / 2) * dx, y: (row + r) * dy });
    });
    row += Math.ceil(keyed.length / maxPerRow) + 0.4;
  }
  return positions;
}
