/** How many observations count as much as the supplier's quoted lead time when blending the two. */
export const QUOTE_WEIGHT = 5;
/** Observations a supplier+SKU needs before its own stats replace the supplier's. */
export const MIN_SKU_OBSERVATIONS = 3;

/** Measured and expected lead times, in days. */
export interface LeadTimeStats {
  observations: number;
  quotedDays: number;
  meanDays: number;
  p50Days: number;
  p90Days: number;
  expectedDays: number;
  /** A conservative lead time for the "latest" arrival date. */
  latestDays: number;
}

/** The p-th percentile (0..1) of sorted values, interpolated linearly like PostgreSQL's percentile_cont. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/**
 * Stats of lead-time observations (days from PO sent to goods received). The expected lead time blends
 * the quote with the measured mean, trusting measurements by weight n/(n+k); the latest blends the quote
 * with the p90 the same way and is never earlier than the expected.
 */
export function leadTimeStats(observedDays: number[], quotedDays: number, k = QUOTE_WEIGHT): LeadTimeStats {
  const sorted = [...observedDays].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? 0 : sorted.reduce((sum, d) => sum + d, 0) / n;
  const p90 = percentile(sorted, 0.9);
  const weight = n / (n + k);
  const expected = weight * mean + (1 - weight) * quotedDays;
  const latest = Math.max(expected, weight * p90 + (1 - weight) * quotedDays);
  return { observations: n, quotedDays, meanDays: mean, p50Days: percentile(sorted, 0.5), p90Days: p90, expectedDays: expected, latestDays: latest };
}

/** time plus a number of (possibly fractional) days. */
export function addDays(time: Date, days: number): Date {
  return new Date(time.getTime() + Math.round(days * 24 * 60 * 60 * 1000));
}
