import { leadTimeStats, percentile } from './lead-times';

describe('lead-time statistics', () => {
  it('interpolates percentiles like percentile_cont', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10], 0.9)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('trusts the quote with no observations', () => {
    expect(leadTimeStats([], 7)).toEqual({ observations: 0, quotedDays: 7, meanDays: 0, p50Days: 0, p90Days: 0, expectedDays: 7, latestDays: 7 });
  });

  it('blends quote and measurements by n/(n+k)', () => {
    const stats = leadTimeStats([10, 12, 14, 9, 20], 7, 5);
    expect(stats.observations).toBe(5);
    expect(stats.meanDays).toBe(13);
    expect(stats.p50Days).toBe(12);
    expect(stats.p90Days).toBeCloseTo(17.6);
    expect(stats.expectedDays).toBeCloseTo(0.5 * 13 + 0.5 * 7);
    expect(stats.latestDays).toBeCloseTo(0.5 * 17.6 + 0.5 * 7);
  });

  it('approaches the measured mean as observations accumulate', () => {
    const many = leadTimeStats(Array.from({ length: 95 }, () => 20), 5, 5);
    expect(many.expectedDays).toBeCloseTo(0.95 * 20 + 0.05 * 5);
  });

  it('never puts the latest before the expected', () => {
    const stats = leadTimeStats([1, 1, 1], 30);
    expect(stats.latestDays).toBeGreaterThanOrEqual(stats.expectedDays);
  });
});
