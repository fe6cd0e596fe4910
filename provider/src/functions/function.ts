/** A provider function (Pulumi `invoke`): read-only, answers from AWS, never changes it. */
export interface ProviderFunction {
  /** Function token, `driftless-aws:<module>:<name>`. */
  readonly token: string;
  /** The function's result; its arguments are the invoke's inputs. */
  invoke(args: Record<string, unknown>): Promise<Record<string, unknown>>;
}
