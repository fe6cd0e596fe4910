import { driftExtensions } from './drift-extension.js';
import type { DaemonExtensions } from './main.js';

/**
 * The extensions `driftless daemon` starts with: drift detection (engine/drift/) plugs its
 * scheduled check and its routes in here; the daemon itself only knows the interfaces.
 */
export function builtinExtensions(): DaemonExtensions {
  return driftExtensions();
}
