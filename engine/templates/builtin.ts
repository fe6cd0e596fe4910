import { builtinTemplates } from '../../stacks/index.js';
import { TemplateRegistry } from './registry.js';

let registry: TemplateRegistry | undefined;

/**
 * The registry of driftless's built-in templates alone: what validation uses when no
 * installation is handed in (tests, tools). The daemon and the CLI build theirs with
 * installTemplates, from the operator's configuration.
 */
export function builtinRegistry(): TemplateRegistry {
  if (!registry) {
    const r = TemplateRegistry.of(builtinTemplates.map((definition) => ({ definition, origin: { kind: 'builtin' as const } })));
    if (!r.ok) throw new Error(`driftless's built-in templates collide: ${r.problems.join('; ')}`);
    registry = r.value;
  }
  return registry;
}
