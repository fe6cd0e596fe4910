import cytoscape from 'cytoscape';
import type { VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { StackView } from '../../engine/http/dashboard-types.js';
import { layeredLayout } from './layout.js';

/** Colours of the states, each readable with white text and distinct for the common colour blindnesses (with the shape). */
export const STATE_STYLE: Record<string, { color: string; shape: cytoscape.Css.NodeShape }> = {
  synced: { color: '#1a7f37', shape: 'round-rectangle' },
  drifted: { color: '#9a6700', shape: 'diamond' },
  failed: { color: '#cf222e', shape: 'octagon' },
  running: { color: '#0969da', shape: 'ellipse' },
  pending: { color: '#57606a', shape: 'round-rectangle' },
  unknown: { color: '#57606a', shape: 'round-rectangle' },
};

declare global {
  interface Window {
    /** Milliseconds the last graph took from data to first painted frame (read by the e2e test and the bench). */
    __driftlessRenderMs?: number;
  }
}

/**
 * The environment's stacks on their dependsOn graph (dependencies above), drawn by
 * cytoscape on a canvas with positions computed here (layeredLayout), coloured and shaped
 * by state. The list next to it is the keyboard-accessible way to the same stacks.
 */
export function StackGraph(props: { stacks: StackView[]; selected?: string | undefined; onSelect(stack: string): void }): VNode {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<cytoscape.Core | undefined>(undefined);
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;
  const shape = props.stacks.map((s) => `${s.name}>${s.dependsOn.join(',')}`).join(';');

  // Rebuilt when the graph's shape changes; states are updated in place below.
  useEffect(() => {
    if (!container.current) return;
    const started = performance.now();
    const positions = layeredLayout(props.stacks);
    // Labels are cut here: cytoscape's own ellipsis measures every label's text, which costs more than the drawing.
    const label = (name: string) => (name.length > 18 ? `${name.slice(0, 17)}…` : name);
    const elements: cytoscape.ElementDefinition[] = [];
    for (const s of props.stacks)
      elements.push({
        group: 'nodes',
        data: { id: s.name, label: label(s.name), state: s.state },
        position: positions.get(s.name) ?? { x: 0, y: 0 },
      });
    for (const s of props.stacks)
      for (const d of s.dependsOn) elements.push({ group: 'edges', data: { id: `${d}->${s.name}`, source: d, target: s.name } });
    const big = props.stacks.length > 150;
    const core = cytoscape({
      container: container.current,
      elements,
      layout: { name: 'preset', fit: true, padding: 24 },
      minZoom: 0.05,
      maxZoom: 3,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      autoungrabify: true,
      textureOnViewport: big,
      hideEdgesOnViewport: big,
      motionBlur: false,
      // One device pixel per CSS pixel on big graphs: a quarter of the fill work on HiDPI screens.
      ...(big ? { pixelRatio: 1 } : {}),
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
            'font-size': 12,
            color: '#ffffff',
            'text-valign': 'center',
            'text-halign': 'center',
            width: 140,
            height: 34,
            'background-color': '#57606a',
            shape: 'round-rectangle',
            'min-zoomed-font-size': 6,
          },
        },
        ...Object.entries(STATE_STYLE).map(([state, s]) => ({
          selector: `node[state = "${state}"]`,
          style: { 'background-color': s.color, shape: s.shape },
        })),
        { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#f5a623' } },
        {
          selector: 'edge',
          style: {
            width: 1.5,
            'line-color': '#8c959f',
            'target-arrow-color': '#8c959f',
            'target-arrow-shape': 'triangle',
            'curve-style': big ? 'haystack' : 'bezier',
          },
        },
      ],
    });
    core.on('tap', 'node', (e) => onSelect.current(e.target.id() as string));
    cy.current = core;
    // The first frame after cytoscape drew is what a person sees.
    core.one('render', () => {
      requestAnimationFrame(() => {
        const ms = performance.now() - started;
        window.__driftlessRenderMs = ms;
        container.current?.setAttribute('data-render-ms', ms.toFixed(1));
      });
    });
    return () => {
      core.destroy();
      cy.current = undefined;
    };
  }, [shape]);

  useEffect(() => {
    const core = cy.current;
    if (!core) return;
    core.batch(() => {
      for (const s of props.stacks) core.getElementById(s.name).data('state', s.state);
    });
  }, [props.stacks]);

  useEffect(() => {
    const core = cy.current;
    if (!core) return;
    core.$(':selected').unselect();
    if (props.selected) core.getElementById(props.selected).select();
  }, [props.selected, shape]);

  return (
    <div
      ref={container}
      class="graph"
      role="img"
      aria-label={`Dependency graph of ${props.stacks.length} stacks; the list beside it has the same stacks`}
      data-testid="stack-graph"
    />
  );
}
