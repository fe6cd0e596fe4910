/** A Pulumi resource plugin a run registers by path (so Pulumi never downloads it). */
export interface ProviderPlugin {
  name: string;
  version: string;
  /** Folder holding `pulumi-resource-<name>`. */
  path: string;
}

/** The plugins of an installation and whether Pulumi may acquire missing ones. */
export interface PluginUse {
  plugins: readonly ProviderPlugin[];
  acquire: boolean;
}
