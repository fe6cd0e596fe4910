import { simpleGit, type SimpleGit } from 'simple-git';

/**
 * The one place simple-git is created, hardened for unattended use: C locale (stable
 * output), no prompts (a missing credential fails instead of hanging), batch-mode SSH,
 * and a timeout when git stops producing output.
 */
export function gitClient(
  baseDir: string,
  opts: {
    timeoutMs?: number;
    /** `key=value` settings for this client's commands only (`git -c`). */
    config?: string[];
    /** Extra variables the caller chose deliberately (e.g. GNUPGHOME for verification). */
    env?: Record<string, string>;
  } = {},
): SimpleGit {
  const env = {
    ...passedThrough(process.env),
    ...opts.env,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'echo',
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=20',
  };
  return simpleGit({
    baseDir,
    maxConcurrentProcesses: 4,
    config: opts.config ?? [],
    timeout: { block: opts.timeoutMs ?? 120_000 },
    // simple-git refuses GIT_* variables in an explicit environment unless allowed; every
    // one here is deliberate (the hardening above, the operator's TLS and proxy settings).
    allowEnvironment: Object.keys(env),
    unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true },
  }).env(env);
}

/**
 * The part of the daemon's environment git may see: paths, identity, SSH agent, proxies
 * and TLS trust. Anything else (EDITOR, PAGER, GIT_DIR, GIT_CONFIG_*...) could make git
 * run programs or read another repository, so it is not passed on.
 */
const PASSED_THROUGH =
  /^(PATH|HOME|USER|LOGNAME|TMPDIR|LANG|SSH_AUTH_SOCK|XDG_CONFIG_HOME|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|GIT_SSL_CAINFO|GIT_SSL_CAPATH|SSL_CERT_FILE|SSL_CERT_DIR)$/;

function passedThrough(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && PASSED_THROUGH.test(e[0])));
}

/**
 * The commit a working folder is at, for run records: the HEAD SHA, suffixed `-dirty`
 * when `paths` have uncommitted changes, or `working-tree` outside a Git repository.
 */
export async function workingRevision(dir: string, paths: string[] = ['.']): Promise<string> {
  const git = gitClient(dir, { timeoutMs: 20_000 });
  try {
    if (!(await git.checkIsRepo())) return 'working-tree';
    const head = (await git.revparse(['HEAD'])).trim();
    const status = await git.raw(['status', '--porcelain', '--', ...paths]);
    return status.trim() === '' ? head : `${head}-dirty`;
  } catch {
    return 'working-tree';
  }
}

/**
 * Author and committer (`Name <email>`) of a commit in a working folder, for run records;
 * undefined when the revision is not a plain commit there (e.g. `-dirty`, `working-tree`).
 */
export async function commitAuthors(dir: string, revision: string): Promise<{ author: string; committer: string } | undefined> {
  if (!/^[0-9a-f]{40,64}$/.test(revision)) return undefined;
  try {
    const out = await gitClient(dir, { timeoutMs: 20_000 }).raw(['log', '-1', '--format=%an <%ae>%x00%cn <%ce>', revision]);
    const [author = '', committer = ''] = out.trim().split('\0');
    return author ? { author, committer } : undefined;
  } catch {
    return undefined;
  }
}
