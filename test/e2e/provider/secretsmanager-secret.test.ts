import { DeleteSecretCommand, ListSecretsCommand, SecretsManagerClient, UpdateSecretCommand } from '@aws-sdk/client-secrets-manager';
import * as pulumi from '@pulumi/pulumi';
import { Secret } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const sm = new SecretsManagerClient(awsTestConfig());
const prefix = uniqueName('conf-sm');

conformanceSuite({
  name: 'secretsmanager-secret',
  token: 'driftless-aws:secretsmanager:Secret',
  program: (phase: Phase) => async () => {
    const secret = new Secret('db-password', {
      name: phase === 'replace' ? `${prefix}/db-password-v2` : `${prefix}/db-password`,
      secretString: pulumi.secret(phase === 'create' ? 'first-password' : 'second-password'),
      description: 'database password',
      tags: { team: 'payments' },
    });
    return { id: secret.id };
  },
  changeOutOfBand: async (arn) => {
    await sm.send(new UpdateSecretCommand({ SecretId: arn, Description: 'edited by hand' }));
    return { field: 'description', actual: 'edited by hand' };
  },
  deleteOutOfBand: async (arn) => {
    // Scheduled for deletion, as the console does by default: gone for every purpose.
    await sm.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
  },
  leftovers: async () =>
    (
      (await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: [prefix] }] }))).SecretList ??
      []
    ).map((s) => s.Name ?? ''),
  invalid: [
    {
      what: 'a wrong type',
      property: 'secretString',
      program: async () => {
        new Secret('bad-type', { name: `${prefix}/bad`, secretString: 42 as unknown as string });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new Secret('bad-name', { name: `${prefix}/bad name?`, secretString: 'x' });
      },
    },
  ],
});
