import type { DaemonExtensions } from './main.js';

/**
 * The extensions `driftless daemon` starts with. Drift detection (engine/drift/) plugs
 * its scheduled check and its routes in here; the daemon itself only knows the interfaces.
 */
export function builtinExtensions(): DaemonExtensions {
  return {};
}
