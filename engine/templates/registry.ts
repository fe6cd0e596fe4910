import semver from 'semver';
import type { TemplateDefinition } from '../../sdk/template/define.js';
import { closest } from '../load/zod-issues.js';

/** Where an installed template came from: compiled into driftless, or an operator-installed package. */
export type TemplateOrigin =
  | { kind: 'builtin' }
  | {
      kind: 'package';
      /** npm package name, e.g. `@acme/driftless-templates`. */
      package: string;
      packageVersion: string;
      /** Absolute folder of the package. */
      path: string;
    };

/** A template the engine can run, with where it came from. */
export interface InstalledTemplate {
  definition: TemplateDefinition;
  origin: TemplateOrigin;
}

/** A Stack's `spec.template`, split: `acme/worker@^2` is name `acme/worker` and range `^2`. */
export interface TemplateRef {
  name: string;
  range: string | undefined;
}

/** Result of looking a template up by the reference a Stack gives. */
export type TemplateLookup = { ok: true; value: InstalledTemplate } | { ok: false; message: string };

/** Splits `name[@range]`; the range is whatever follows the last `@` (names never contain one). */
export function parseTemplateRef(ref: string): TemplateRef {
  const at = ref.lastIndexOf('@');
  return at <= 0 ? { name: ref, range: undefined } : { name: ref.slice(0, at), range: ref.slice(at + 1) };
}

/** How an origin reads in messages: `built-in` or `@acme/driftless-templates@2.1.0 (/opt/templates/…)`. */
export function describeOrigin(origin: TemplateOrigin): string {
  return origin.kind === 'builtin' ? 'built-in' : `${origin.package}@${origin.packageVersion} (${origin.path})`;
}

/**
 * The templates of one installation, by name: the built-in ones and those of the packages
 * the operator configured. Pure: it is built once at start-up (engine/templates/install.ts)
 * and handed to validation, planning, the JSON Schema and the docs.
 */
export class TemplateRegistry {
  private readonly byName: ReadonlyMap<string, InstalledTemplate>;

  private constructor(templates: readonly InstalledTemplate[]) {
    this.byName = new Map(templates.map((t) => [t.definition.name, t]));
  }

  /** A registry of `templates`, or one problem per name defined twice (naming both origins). */
  static of(templates: readonly InstalledTemplate[]): { ok: true; value: TemplateRegistry } | { ok: false; problems: string[] } {
    const seen = new Map<string, InstalledTemplate>();
    const problems: string[] = [];
    for (const t of templates) {
      const first = seen.get(t.definition.name);
      if (first)
        problems.push(
          `template "${t.definition.name}" is defined twice: by ${describeOrigin(first.origin)} and by ${describeOrigin(t.origin)}`,
        );
      else seen.set(t.definition.name, t);
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, value: new TemplateRegistry(templates) };
  }

  /** Template names in sorted order. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** Every installed template, sorted by name. */
  list(): InstalledTemplate[] {
    return this.names().flatMap((n) => {
      const t = this.byName.get(n);
      return t ? [t] : [];
    });
  }

  /** The template of that exact name. */
  get(name: string): InstalledTemplate | undefined {
    return this.byName.get(name);
  }

  /**
   * Resolves a Stack's `spec.template` (`queue`, `acme/worker`, `acme/worker@^2`). An unknown
   * name gets a did-you-mean and the list of installed templates; a version outside the
   * range names the installed version and where it comes from.
   */
  find(ref: string): TemplateLookup {
    const { name, range } = parseTemplateRef(ref);
    const found = this.byName.get(name);
    if (!found) {
      const guess = closest(name, this.names());
      return {
        ok: false,
        message: `unknown template "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}; installed: ${this.names().join(', ')}`,
      };
    }
    if (range === undefined) return { ok: true, value: found };
    if (range.trim() === '' || semver.validRange(range) === null)
      return { ok: false, message: `"${range}" is not a version range (write e.g. ${name}@^2 or ${name}@~2.1)` };
    if (!semver.satisfies(found.definition.version, range))
      return {
        ok: false,
        message: `template ${name}@${range} is not installed: the installed version is ${found.definition.version} (${describeOrigin(found.origin)})`,
      };
    return { ok: true, value: found };
  }
}
