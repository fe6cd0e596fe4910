import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent, OpType, PulumiFn, Stack } from '@pulumi/pulumi/automation/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldDiff } from '../../../engine/drift/field-diff.js';
import { selectInlineStack } from '../../../engine/pulumi/workspace.js';
import { fileBackendLocations } from '../../../engine/toolchain/pulumi-env.js';
import { projectRoot } from '../../../engine/toolchain/paths.js';
import { awsTestEnv } from '../../support/aws.js';

/** The program variants a conformance suite walks through, in order. */
export type Phase = 'create' | 'update' | 'replace';

/** An input that check must reject, and the property its message must name. */
export interface InvalidCase {
  what: string;
  program: PulumiFn;
  property: string;
}

/** Inputs that pass check but that AWS refuses: the classified error must reach the user. */
export interface ApplyErrorCase {
  what: string;
  program: PulumiFn;
  /** What the user must read, e.g. `/SNS Subscribe failed \[NotFound/`. */
  message: RegExp;
}

/** What a resource type's suite supplies; the harness runs the steps. */
export interface ConformanceCase {
  /** Short name: project name and temp folder. */
  name: string;
  /** Type token of the resource under test. */
  token: string;
  /**
   * The program per phase. It must export `id` (the id of the resource under test).
   * `update` changes an update-in-place property; `replace` a replace property.
   */
  program(phase: Phase): PulumiFn;
  /** Changes the live resource behind Pulumi's back; returns the input field and its new live value. */
  changeOutOfBand(id: string): Promise<{ field: string; actual: unknown }>;
  /** Deletes the live resource behind Pulumi's back. */
  deleteOutOfBand(id: string): Promise<void>;
  /** Everything this suite created that still exists, found with AWS SDK list/describe calls. */
  leftovers(): Promise<string[]>;
  /** Must-show 2: a wrong type, a bad name, bad policy JSON (as the type has them). */
  invalid: InvalidCase[];
  /** Optional: failures only AWS can detect, reported classified and readable. */
  failsAtApply?: ApplyErrorCase[];
}

/** Operation counts that are changes (everything but `same`). */
function changes(summary: Partial<Record<OpType, number>> | undefined): Partial<Record<string, number>> {
  return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== 'same' && (n ?? 0) > 0));
}

/** Fails loudly when the plugin bundle is missing or older than the provider sources. */
function assertPluginBuilt(): void {
  const bundle = join(projectRoot, 'dist', 'provider', 'plugin.cjs');
  const built = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) throw new Error(`${bundle} is missing: run \`npm run build\` before the provider E2E tests`);
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
    );
  const sources = Math.max(newest(join(projectRoot, 'provider', 'src')), newest(join(projectRoot, 'provider', 'sdk')));
  if (sources > built) throw new Error(`${bundle} is older than provider/ sources: run \`npm run build\``);
}

/**
 * The provider conformance suite (issue 4, must-show 1 and 2) for one resource type,
 * through the real Pulumi CLI and plugin against LocalStack: create; a preview with 0
 * changes; an update in place; a replacement; a refresh preview that reports an
 * out-of-band change at field level; one that reports an out-of-band deletion; a
 * destroy (whose delete of the already-deleted resource must succeed) that leaves
 * nothing behind; then invalid inputs that fail at check and create nothing.
 */
export function conformanceSuite(c: ConformanceCase): void {
  describe(`${c.token} conformance`, () => {
    let dir: string;
    let stack: Stack;
    let phase: Phase = 'create';
    let invalidProgram: PulumiFn | undefined;
    const withProgram = async <T>(program: PulumiFn, run: () => Promise<T>): Promise<T> => {
      invalidProgram = program;
      try {
        return await run();
      } finally {
        invalidProgram = undefined;
      }
    };
    let id = '';

    beforeAll(async () => {
      assertPluginBuilt();
      dir = mkdtempSync(join(tmpdir(), `driftless-conformance-${c.name}-`));
      stack = await selectInlineStack({
        projectName: `conformance-${c.name}`,
        stackName: 'e2e',
        program: () => (invalidProgram ?? c.program(phase))(),
        locations: fileBackendLocations(join(dir, 'state')),
        workDir: join(dir, 'work'),
        envVars: awsTestEnv(),
      });
    });

    afterAll(async () => {
      // Only after a failure midway is there anything left to remove.
      if (stack && (await stack.exportStack()).deployment?.resources?.length) await stack.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const refreshEvents = async (): Promise<EngineEvent[]> => {
      const events: EngineEvent[] = [];
      await stack.previewRefresh({ onEvent: (e) => events.push(e) });
      return events.filter((e) => e.resOutputsEvent?.metadata.type === c.token || e.resourcePreEvent?.metadata.type === c.token);
    };

    it('1. creates', async () => {
      const r = await stack.up();
      expect(r.summary.result).toBe('succeeded');
      expect(r.summary.resourceChanges?.create).toBeGreaterThanOrEqual(1);
      id = String(r.outputs.id?.value ?? '');
      expect(id).not.toBe('');
    });

    it('2. a preview right after shows 0 changes', async () => {
      const p = await stack.preview();
      expect(changes(p.changeSummary)).toEqual({});
    });

    it('3. updates in place', async () => {
      phase = 'update';
      const r = await stack.up();
      expect(changes(r.summary.resourceChanges)).toEqual({ update: 1 });
      expect(String(r.outputs.id?.value)).toBe(id);
    });

    it('4. replaces', async () => {
      phase = 'replace';
      const r = await stack.up();
      expect(changes(r.summary.resourceChanges)).toEqual({ replace: 1 });
      const newId = String(r.outputs.id?.value);
      expect(newId).not.toBe(id);
      id = newId;
    });

    it('5. a refresh preview reports an out-of-band change field by field', async () => {
      const { field, actual } = await c.changeOutOfBand(id);
      const events = await refreshEvents();
      const step = events.find((e) => e.resOutputsEvent?.metadata.op === 'update')?.resOutputsEvent?.metadata;
      expect(step, 'refresh reported no update step for the resource').toBeDefined();
      const fields = fieldDiff(step?.old?.inputs, step?.new?.inputs);
      expect(fields).toContainEqual(expect.objectContaining({ path: field, after: actual }));
      // Only the changed field drifted: normalisation leaves no spurious fields.
      expect(fields.map((f) => f.path.split(/[.[]/)[0])).toEqual([field.split(/[.[]/)[0]]);
    });

    it('6. a refresh preview reports an out-of-band deletion', async () => {
      await c.deleteOutOfBand(id);
      const events = await refreshEvents();
      const ops = events.map((e) => (e.resOutputsEvent ?? e.resourcePreEvent)?.metadata.op);
      expect(ops).toContain('delete');
    });

    it('7. destroy (the resource already gone) leaves nothing behind', async () => {
      const r = await stack.destroy();
      expect(r.summary.result).toBe('succeeded');
      expect(await c.leftovers()).toEqual([]);
    });

    for (const bad of c.invalid) {
      it(`rejects ${bad.what} at check, naming ${bad.property}, and creates nothing`, () =>
        withProgram(bad.program, async () => {
          const err = await stack.up().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err, 'up with invalid inputs succeeded').toBeInstanceOf(Error);
          const text = String((err as Error).message);
          expect(text).toMatch(new RegExp(`property ${bad.property.replace(/[.[\]]/g, '\\$&')}\\b`));
          expect(await c.leftovers()).toEqual([]);
          const inState = ((await stack.exportStack()).deployment?.resources ?? []) as Array<{ type: string }>;
          expect(inState.filter((r) => r.type === c.token)).toEqual([]);
        }));
    }

    for (const bad of c.failsAtApply ?? []) {
      it(`reports ${bad.what} classified and readable`, () =>
        withProgram(bad.program, async () => {
          const err = await stack.up().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err, 'up that AWS must refuse succeeded').toBeInstanceOf(Error);
          expect(String((err as Error).message)).toMatch(bad.message);
          expect(await c.leftovers()).toEqual([]);
        }));
    }
  });
}
