import { DeleteParameterCommand, DescribeParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Parameter } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const ssm = new SSMClient(awsTestConfig());
const prefix = `/${uniqueName('conf-ssm')}`;

conformanceSuite({
  name: 'ssm-parameter',
  token: 'driftless-aws:ssm:Parameter',
  program: (phase: Phase) => async () => {
    const param = new Parameter('endpoints', {
      name: phase === 'replace' ? `${prefix}/endpoints-v2` : `${prefix}/endpoints`,
      type: 'StringList',
      value: phase === 'create' ? 'a.example,b.example' : 'a.example,b.example,c.example',
      description: 'service endpoints',
      tags: { team: 'payments' },
    });
    return { id: param.id };
  },
  changeOutOfBand: async (name) => {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: 'StringList',
        Value: 'a.example,b.example,c.example',
        Description: 'edited by hand',
        Overwrite: true,
      }),
    );
    return { field: 'description', actual: 'edited by hand' };
  },
  deleteOutOfBand: async (name) => {
    await ssm.send(new DeleteParameterCommand({ Name: name }));
  },
  leftovers: async () =>
    (
      (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: [prefix] }] })))
        .Parameters ?? []
    ).map((p) => p.Name ?? ''),
  invalid: [
    {
      what: 'a wrong type',
      property: 'type',
      program: async () => {
        new Parameter('bad-type', { name: `${prefix}/bad`, type: 'Integer' as unknown as 'String', value: '1' });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new Parameter('bad-name', { name: `${prefix}/bad name!`, type: 'String', value: 'x' });
      },
    },
    {
      what: 'a key on a non-secure parameter',
      property: 'keyId',
      program: async () => {
        new Parameter('bad-key', { name: `${prefix}/bad-key`, type: 'String', value: 'x', keyId: 'alias/mine' });
      },
    },
  ],
});
