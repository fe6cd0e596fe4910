import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDaemonConfig, resolveTrust } from '../../config/daemon-config.js';
import { formatMessage } from '../../load/index.js';
import { describeVerification, localVerifier, verifyDeploy, type TrustSettings } from '../../source/verify-commit.js';
import { ExitCode, printJson, type Command } from '../command.js';

/** `driftless verify`: whether the daemon would accept a deploy commit, and why. */
export const verifyCommand: Command = {
  name: 'verify',
  usage: `usage: driftless verify --revision R [--repo PATH] [--config daemon.yaml] [--allowed-signers F] [--from R0] [--json]

Says whether the daemon would apply commit R on a deploy branch: its signature checked by
git against the operator's trusted keys (trust: in daemon.yaml; never the repository's),
with the same function the daemon uses. Exit 0 when accepted, 1 when rejected.

  --revision R        commit to verify (any revision git understands)
  --repo PATH         Git repository holding it (default: the working directory)
  --config F          the daemon's configuration: its trust settings (relative paths against F's folder)
  --allowed-signers F SSH allowed signers file (overrides the configuration's)
  --from R0           last applied commit: in range mode every commit after it must verify too
  --json              machine-readable output`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        revision: { type: 'string' },
        repo: { type: 'string', default: '.' },
        config: { type: 'string' },
        'allowed-signers': { type: 'string' },
        from: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (!values.revision) {
      io.err('driftless verify: --revision is required\n');
      return ExitCode.error;
    }
    const repo = resolve(values.repo);
    let trust: TrustSettings = { mode: 'off' };
    if (values.config) {
      const file = resolve(values.config);
      // Only the trust settings matter here; the repository checked is --repo.
      const loaded = await loadDaemonConfig(file, { ...process.env, DRIFTLESS_REPOSITORY: repo });
      if (!loaded.ok) {
        io.err(loaded.messages.map(formatMessage).join('\n') + '\ndriftless verify: the configuration is invalid\n');
        return ExitCode.error;
      }
      trust = resolveTrust(loaded.config.trust, dirname(file));
    }
    if (values['allowed-signers']) trust = { ...trust, allowedSignersFile: resolve(values['allowed-signers']) };
    try {
      const verdict = await verifyDeploy(
        localVerifier(repo, trust),
        trust.mode === 'range' ? 'range' : 'heads',
        values.revision,
        values.from,
      );
      // With trust off the daemon applies every commit; the verdict is what heads mode would say.
      const accepted = trust.mode === 'off' || verdict.trusted;
      if (values.json) printJson(io, { revision: verdict.head.revision, mode: trust.mode, accepted, verdict });
      else {
        io.out(`${describeVerification(verdict.head)}\n`);
        if (verdict.failed && verdict.failed.revision !== verdict.head.revision)
          io.out(`in range: ${describeVerification(verdict.failed)}\n`);
        io.out(
          trust.mode === 'off'
            ? `trust is off: the daemon would apply it (${verdict.trusted ? 'it would also pass' : 'it would fail'} trust mode heads)\n`
            : `${accepted ? 'accepted' : 'rejected (untrusted)'} under trust mode ${trust.mode} (${verdict.checked} commit(s) checked)\n`,
        );
      }
      return accepted ? ExitCode.ok : ExitCode.error;
    } catch (e) {
      io.err(`driftless verify: ${e instanceof Error ? e.message.trim() : String(e)}\n`);
      return ExitCode.error;
    }
  },
};
