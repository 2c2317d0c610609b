import { samePolicy, type PolicySettings } from './buffer-policy';

const policy: PolicySettings = { minQuantity: 10, minValue: '12345678901.000000001', releaseSchedule: '0 10 * * 1', maxWaitDays: 3, paused: false };

describe('samePolicy', () => {
  it('compares min values exactly, whatever their scale', () => {
    expect(samePolicy(policy, { ...policy, minValue: '12345678901.000000001000' }, 'EUR')).toBe(true);
    expect(samePolicy({ ...policy, minValue: '0' }, { ...policy, minValue: '0.000000000' }, 'EUR')).toBe(true);
    // Equal as floats, yet a nano apart.
    expect(samePolicy(policy, { ...policy, minValue: '12345678901.000000002' }, 'EUR')).toBe(false);
  });

  it('tells apart every other rule', () => {
    for (const change of [{ minQuantity: 11 }, { releaseSchedule: '0 9 * * 1' }, { maxWaitDays: 4 }, { paused: true }]) {
      expect(samePolicy(policy, { ...policy, ...change }, 'EUR')).toBe(false);
    }
  });
});
