import type { TemplateDefinition } from '../../sdk/template/define.js';

/** A template program that broke its contract or threw; the message names the template. */
export class TemplateProgramError extends Error {
  override readonly name = 'TemplateProgramError';
  constructor(
    readonly template: string,
    message: string,
  ) {
    super(`template ${template}: ${message}`);
  }
}

/**
 * What is wrong with the outputs a program returned, against those its template
 * declares: each missing and each undeclared name. Pure, for the run wrapper and tests.
 */
export function outputProblems(declared: readonly { name: string }[], returned: Record<string, unknown>): string[] {
  const want = new Set(declared.map((o) => o.name));
  const got = Object.keys(returned);
  const problems: string[] = [];
  const missing = [...want].filter((n) => !got.includes(n));
  const extra = got.filter((n) => !want.has(n));
  if (missing.length > 0) problems.push(`missing declared output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`undeclared output${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (declare them in outputs)`);
  return problems;
}

/**
 * Runs a template program and checks that it returned exactly the outputs it declares;
 * a throw or a broken contract becomes a TemplateProgramError naming the template, so
 * the stack fails with a message an operator can act on.
 */
export function checkedOutputs(definition: TemplateDefinition, run: () => Record<string, unknown>): Record<string, unknown> {
  let outputs: Record<string, unknown>;
  try {
    outputs = run();
  } catch (e) {
    throw new TemplateProgramError(definition.name, `the program threw: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs))
    throw new TemplateProgramError(definition.name, 'the program must return an object of outputs');
  // Pulumi programs register resources synchronously; an async value goes in an Output.
  if (typeof (outputs as { then?: unknown }).then === 'function')
    throw new TemplateProgramError(
      definition.name,
      'the program must return its outputs synchronously (it returned a promise): wrap asynchronous values in pulumi.output(...)',
    );
  const problems = outputProblems(definition.outputs, outputs);
  if (problems.length > 0) throw new TemplateProgramError(definition.name, `the program returned ${problems.join('; ')}`);
  return outputs;
}
