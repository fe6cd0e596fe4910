import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../../../engine/config/daemon-config.js';
import { formatMessage } from '../../../engine/load/index.js';
import { tempDir } from '../../support/temp.js';

describe('daemon configuration', () => {
  const dir = tempDir('daemon-config');
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('applies defaults and lets environment variables override the file', async () => {
    const r = await loadDaemonConfig(file('ok.yaml', 'source:\n  repository: /srv/envs\nhttp:\n  port: 9000\n'), {
      DRIFTLESS_HTTP_PORT: '9100',
      DRIFTLESS_POLL_INTERVAL_SECONDS: '5',
    });
    expect(r.ok && r.config).toMatchObject({
      source: { repository: '/srv/envs', pollIntervalSeconds: 5, environmentsPath: 'environments', defaultDeployBranch: 'main' },
      http: { host: '127.0.0.1', port: 9100 },
      shutdown: { finishWithinSeconds: 20, deadlineSeconds: 60 },
    });
  });

  it('names file:line:col for mistakes in the file, with a suggestion for typos', async () => {
    const r = await loadDaemonConfig(
      file('bad.yaml', 'source:\n  repository: /srv/envs\n  pollIntervalSecond: 5\nhttp:\n  port: "eighty"\n'),
      {},
    );
    expect(r.ok).toBe(false);
    const text = r.ok ? '' : r.messages.map(formatMessage).join('\n');
    expect(text).toMatch(
      /bad\.yaml:3:3 source\.pollIntervalSecond: unknown key "pollIntervalSecond" \(did you mean "pollIntervalSeconds"\?\)/,
    );
    expect(text).toMatch(/bad\.yaml:5:3 http\.port: expected number, got string/);
  });

  it('reports YAML syntax errors and a bad variable by name, and needs a repository', async () => {
    const broken = await loadDaemonConfig(file('broken.yaml', 'source: [unclosed\n'), {});
    expect(broken.ok === false && broken.messages[0]?.file).toMatch(/broken\.yaml$/);
    const badVar = await loadDaemonConfig(undefined, { DRIFTLESS_REPOSITORY: '/srv/envs', DRIFTLESS_HTTP_PORT: '99999' });
    expect(badVar.ok === false && formatMessage(badVar.messages[0]!)).toMatch(/^\$DRIFTLESS_HTTP_PORT:1:1: /);
    const none = await loadDaemonConfig(undefined, {});
    expect(none.ok === false && none.messages[0]?.message).toMatch(/no Git repository/);
    const unset = await loadDaemonConfig(file('fromenv.yaml', 'source:\n  repositoryFromEnv: ENVS_URL\n'), {});
    expect(unset.ok === false && unset.messages[0]?.message).toBe('environment variable ENVS_URL is not set');
  });

  it('takes trust settings from the file, resolves their paths against its folder, and wants keys for a mode', async () => {
    const { resolveTrust } = await import('../../../engine/config/daemon-config.js');
    const ok = await loadDaemonConfig(
      file('trust.yaml', 'source: { repository: /srv/envs }\ntrust: { mode: range, allowedSignersFile: keys/allowed_signers }\n'),
      {},
    );
    expect(ok.ok && resolveTrust(ok.config.trust, '/etc/driftless')).toEqual({
      mode: 'range',
      allowedSignersFile: '/etc/driftless/keys/allowed_signers',
    });
    const off = await loadDaemonConfig(file('off.yaml', 'source: { repository: /srv/envs }\n'), {});
    expect(off.ok && off.config.trust).toEqual({ mode: 'off' });
    const bad = await loadDaemonConfig(file('nokeys.yaml', 'source: { repository: /srv/envs }\ntrust:\n  mode: heads\n'), {});
    expect(bad.ok ? '' : bad.messages.map(formatMessage).join('\n')).toMatch(
      /nokeys\.yaml:3:\d+ trust\.mode: trust mode heads needs trusted keys/,
    );
  });

  it('reads store.postgres with its defaults and names a missing connection variable or a bad budget key', async () => {
    const yaml = 'source:\n  repository: /srv/envs\nstore:\n  postgres:\n    urlFromEnv: PG_URL\n';
    const ok = await loadDaemonConfig(file('pg.yaml', yaml), { PG_URL: 'postgres://u:p@db/driftless' });
    expect(ok.ok && ok.config.store).toEqual({
      postgres: {
        urlFromEnv: 'PG_URL',
        leaseSeconds: 30,
        workers: 2,
        budget: { perAccountRegion: 4, accounts: {} },
        outageToleranceSeconds: 300,
      },
    });
    const unset = await loadDaemonConfig(file('pg.yaml', yaml), {});
    expect(unset.ok ? [] : unset.messages.map(formatMessage)).toEqual([
      expect.stringMatching(
        /pg\.yaml:5:5 store\.postgres\.urlFromEnv: environment variable PG_URL \(the PostgreSQL connection string\) is not set/,
      ),
    ]);
    const bad = await loadDaemonConfig(
      file('pg-bad.yaml', `${yaml}    leaseSeconds: 5\n    budget:\n      accounts:\n        useast: 2\n`),
      { PG_URL: 'postgres://u:p@db/driftless' },
    );
    const text = bad.ok ? '' : bad.messages.map(formatMessage).join('\n');
    expect(text).toMatch(/pg-bad\.yaml:6:5 store\.postgres\.leaseSeconds: /);
    expect(text).toMatch(/pg-bad\.yaml:9:9 store\.postgres\.budget\.accounts\.useast: key: must be <account>\/<region>/);
    const sqlite = await loadDaemonConfig(file('plain.yaml', 'source:\n  repository: /srv/envs\n'), {});
    expect(sqlite.ok && sqlite.config.store).toEqual({});
  });
});
