import { expectedTags, MOCK_ACCOUNT_ID, MOCK_REGION, mockTemplate, ofType, oneOfType } from 'driftless/testing';
import { describe, expect, it } from 'vitest';
import { alarmTopicTemplate } from '../src/alarm-topic.js';

describe('acme/alarm-topic', () => {
  it('creates the tagged topic and one e-mail subscription per address', async () => {
    const params = { displayName: 'Orders alarms', emails: ['oncall@acme.example', 'Team@acme.example'] };
    const run = await mockTemplate(alarmTopicTemplate, params, { stack: 'alarms' });

    const topic = oneOfType(run, 'driftless-aws:sns:Topic');
    expect(topic.inputs).toMatchObject({ name: 'dev-alarms', displayName: 'Orders alarms', tags: expectedTags('alarms') });
    // SNS's default policy grants the topic's own account, where the alarms live.
    expect(topic.inputs.policy).toBeUndefined();
    const topicArn = `arn:aws:sns:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:dev-alarms`;
    expect(ofType(run, 'driftless-aws:sns:Subscription').map((s) => [s.name, s.inputs])).toEqual([
      ['email:oncall@acme.example', { topicArn, protocol: 'email', endpoint: 'oncall@acme.example' }],
      ['email:team@acme.example', { topicArn, protocol: 'email', endpoint: 'Team@acme.example' }],
    ]);
    expect(run.outputs).toEqual({ arn: topicArn, name: 'dev-alarms' });
  });

  it('refuses typos, bad addresses and an address given twice', () => {
    const refused = (params: unknown): boolean => !alarmTopicTemplate.params.safeParse(params).success;
    expect(alarmTopicTemplate.params.parse({})).toEqual({ emails: [] });
    expect(refused({ email: ['oncall@acme.example'] })).toBe(true);
    expect(refused({ emails: ['not-an-address'] })).toBe(true);
    expect(refused({ emails: ['oncall@acme.example', 'ONCALL@acme.example'] })).toBe(true);
    expect(refused({ displayName: 'x'.repeat(101) })).toBe(true);
  });
});
