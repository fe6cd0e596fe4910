import { loadEnvironments, type EnvironmentsLoad } from '../load/index.js';
import type { GitSource } from '../source/git-source.js';
import type { TemplateRegistry } from '../templates/registry.js';

/** A revision's environments, loaded, while someone uses them. */
interface Entry {
  load: Promise<EnvironmentsLoad>;
  users: number;
  dispose: () => void;
  lastUsed: number;
}

/**
 * The environments of recent revisions, loaded once per revision. A commit that adds 30
 * stacks becomes 30 stack jobs at the same revision; each replica checks the commit out
 * and validates it once, not once per job. At most `keep` revisions stay loaded; the
 * least recently used unused one is disposed first.
 */
export class RevisionTrees {
  private readonly entries = new Map<string, Entry>();
  private tick = 0;
  private closed = false;

  constructor(
    private readonly source: GitSource,
    private readonly registry: TemplateRegistry,
    private readonly keep = 4,
  ) {}

  /**
   * Runs fn with the environments of `revision` (fetching first when this replica's mirror
   * does not have the commit yet: the leader may have seen it before this replica polled).
   */
  async with<T>(revision: string, fn: (load: EnvironmentsLoad) => Promise<T>): Promise<T> {
    const entry = this.entries.get(revision) ?? this.open(revision);
    entry.users++;
    entry.lastUsed = ++this.tick;
    try {
      return await fn(await entry.load);
    } finally {
      entry.users--;
      this.evict();
    }
  }

  /** Disposes every checked-out tree no job uses (shutdown); one in use is disposed when its last job ends. */
  close(): void {
    this.closed = true;
    this.evict();
  }

  private open(revision: string): Entry {
    let dispose: () => void = () => {};
    const load = (async () => {
      // Twice: a fetch already under way when the job arrived may predate the commit.
      for (let attempt = 0; attempt < 2 && !(await this.source.hasCommit(revision)); attempt++) {
        const fetched = await this.source.fetch();
        if (!fetched.ok) throw new Error(`fetching ${this.source.displayUrl} failed: ${fetched.message}`);
      }
      if (!(await this.source.hasCommit(revision))) throw new Error(`commit ${revision} is not in ${this.source.displayUrl}`);
      const tree = await this.source.checkoutEnvironments(revision);
      dispose = tree.dispose;
      return loadEnvironments(tree.environmentsDir, this.registry, { requireSharedBackend: true });
    })();
    const entry: Entry = { load, users: 0, dispose: () => dispose(), lastUsed: 0 };
    // A failed load is not cached: the next job tries again (Git may be back).
    load.catch(() => {
      dispose();
      if (this.entries.get(revision) === entry) this.entries.delete(revision);
    });
    this.entries.set(revision, entry);
    return entry;
  }

  private evict(): void {
    while (this.entries.size > (this.closed ? 0 : this.keep)) {
      const idle = [...this.entries].filter(([, e]) => e.users === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed)[0];
      if (!idle) return;
      idle[1].dispose();
      this.entries.delete(idle[0]);
    }
  }
}
