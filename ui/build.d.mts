/** Builds the dashboard bundle into `outdir` (default dist/ui); resolves to the size in bytes of each output. */
export function buildUi(opts?: { outdir?: string; minify?: boolean }): Promise<Record<string, number>>;
