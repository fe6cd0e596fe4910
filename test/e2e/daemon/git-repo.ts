import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A real Git repository in a temp folder, driven with the git CLI the way a person would. */
export class TestRepo {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.name', 'Ada Ops');
    this.git('config', 'user.email', 'ada@example.com');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).trim();
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), text);
  }

  remove(path: string): void {
    rmSync(join(this.dir, path));
  }

  /** Stages everything and commits; returns the new commit. */
  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }
}

/** environment.yaml of a small test environment on a file backend under the daemon's base folder. */
export function environmentYaml(name: string, extra = ''): string {
  return `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${name} }\nspec:\n  deployBranch: main\n  backend: file://state/${name}\n  aws: { region: us-east-1 }\n${extra}`;
}

/** A stack of the `queue` template. */
export function queueYaml(name: string, params: string): string {
  return `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n  template: queue\n  params: ${params}\n`;
}

/** Polls until `check` returns a value other than undefined/false, or fails with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
