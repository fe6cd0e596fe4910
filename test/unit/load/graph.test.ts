import { describe, expect, it } from 'vitest';
import { buildGraph, findCycles, topologicalOrder } from '../../../engine/load/graph.js';

const deps = (o: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(o));

describe('dependency graph', () => {
  it.each([
    ['no edges', { a: [], b: [] }, []],
    ['self loop', { a: ['a'] }, [['a']]],
    ['two-cycle', { b: ['a'], a: ['b'] }, [['a', 'b']]],
    ['three-cycle named from its first stack', { c: ['b'], b: ['a'], a: ['c'] }, [['a', 'c', 'b']]],
    [
      'two separate cycles',
      { a: ['b'], b: ['a'], x: ['y'], y: ['x'], z: ['a'] },
      [
        ['a', 'b'],
        ['x', 'y'],
      ],
    ],
    ['diamond is no cycle', { top: ['l', 'r'], l: ['base'], r: ['base'], base: [] }, []],
  ])('%s', (_why, graph, cycles) => {
    expect(findCycles(deps(graph))).toEqual(cycles);
  });

  it('orders dependencies first, alphabetically among ready stacks, leaving cycles out', () => {
    expect(topologicalOrder(deps({ top: ['l', 'r'], r: ['base'], l: ['base'], base: [], lone: [] }))).toEqual([
      'base',
      'l',
      'lone',
      'r',
      'top',
    ]);
    expect(topologicalOrder(deps({ a: ['b'], b: ['a'], c: [] }))).toEqual(['c']);
  });

  it('a chain of 20 000 stacks neither overflows the stack nor finds a cycle', () => {
    const chain = new Map(Array.from({ length: 20_000 }, (_, i) => [`s${i}`, i === 0 ? [] : [`s${i - 1}`]]));
    expect(findCycles(chain)).toEqual([]);
    expect(topologicalOrder(chain)).toHaveLength(20_000);
  });

  it('builds both directions', () => {
    expect(buildGraph(deps({ a: [], b: ['a'], c: ['a', 'b'] }))).toEqual({
      dependsOn: { a: [], b: ['a'], c: ['a', 'b'] },
      dependents: { a: ['b', 'c'], b: ['c'], c: [] },
    });
  });
});
