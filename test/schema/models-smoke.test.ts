import { describe, expect, it } from 'vitest';
import { parseResource, RESOURCE_KINDS, kindByCollection, newId, kindNamesOfId, idPrefixOf } from '../../schema/index.ts';

describe('resource models (smoke)', () => {
  it('applies defaults on create and reports unknown fields by path', () => {
    const ok = parseResource('LoadBalancer', 'create', { name: 'lb' });
    expect(ok).toEqual({ ok: true, value: { name: 'lb', address: '127.0.0.1', edition: 'Standard', deletionProtection: false, tags: {} } });
    const bad = parseResource('LoadBalancer', 'create', { name: 'lb', extra: 1 });
    expect(bad).toEqual({ ok: false, errors: [{ path: 'extra', code: 'VALIDATION_FAILED', message: 'unknown field' }] });
  });

  it('finds every kind by collection and makes ids of the right shape', () => {
    for (const kind of Object.values(RESOURCE_KINDS)) {
      expect(kindByCollection(kind.collection)).toBe(kind);
      const id = newId(kind.name);
      expect(id).toMatch(/^[a-z]+-[a-z2-7]{20}$/);
      expect(idPrefixOf(id)).toBe(kind.idPrefix);
      expect(kindNamesOfId(id)).toContain(kind.name);
    }
  });
});
