import { describe, expect, it } from 'vitest';
import { DRIFTLESS_JOB_NAMESPACE, stackJobIdOf, syncJobIdOf, uuidV5 } from '../../../engine/cluster/job-ids.js';

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it.each([
    // Published vectors (RFC 9562 appendix A.4 and Python's uuid documentation).
    ['www.example.com', DNS, '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['python.org', DNS, '886313e1-3b8a-5372-9b90-0c9aee199e5d'],
  ])('%s in %s → %s', (name, namespace, expected) => {
    expect(uuidV5(name, namespace)).toBe(expected);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/namespace/);
  });
});

describe('job ids', () => {
  it('are the same for the same delivery on every call, and version-5 UUIDs', () => {
    const id = syncJobIdOf('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(syncJobIdOf('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differ between deliveries, and between a delivery and a stack key with the same text', () => {
    const ids = new Set([syncJobIdOf('a'), syncJobIdOf('b'), syncJobIdOf('A'), stackJobIdOf('a')]);
    expect(ids.size).toBe(4);
  });

  it('live in driftless’s own namespace', () => {
    expect(syncJobIdOf('a')).toBe(uuidV5('sync-delivery:a', DRIFTLESS_JOB_NAMESPACE));
  });

  it('refuse an empty delivery or key', () => {
    expect(() => syncJobIdOf('')).toThrow(/empty/);
    expect(() => stackJobIdOf('')).toThrow(/empty/);
  });
});
