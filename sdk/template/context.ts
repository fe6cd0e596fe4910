/** Everything a template program knows about where it runs, besides its params. */
export interface TemplateContext {
  /** Environment name (the folder under environments/). */
  environment: string;
  /** Stack name (the Stack document's metadata.name). */
  stack: string;
  /** AWS region of the environment. */
  region: string;
  /** Environment tags merged with the stack's own; apply them to every resource (see resourceTags). */
  tags: Record<string, string>;
  /** Git commit the run applies. */
  revision: string;
  /** Outputs of the stacks named in dependsOn, by stack name then output name. */
  dependencies: Record<string, Record<string, unknown>>;
}
