import { Amount } from '../platform/money';
import { sqlOf, type Orm } from '../platform/orm';
import { decodePageToken, encodePageToken } from '../platform/pagination';
import { findBufferLinesOf, findBufferSummaries, type BufferSummaryRow } from './buffer.repository';
import type { BufferLine } from './buffers';
import { nextRelease, type BufferPolicy, type BufferTotals, type NextReleaseRule } from './release-rules';

/** The order ListBuffers returns buffers in; ties go by supplier id. */
export type BufferOrder = 'SUPPLIER' | 'NEXT_RELEASE' | 'AGE' | 'VALUE';

/** One supplier's buffer at a glance. */
export interface BufferSummary {
  supplierId: string;
  supplierName: string;
  currencyCode: string;
  totalQuantity: number;
  totalValue: Amount;
  lines: BufferLine[];
  oldestDemandTime: Date | null;
  /** Milliseconds since the oldest demand arrived, at asOf; null when empty. */
  oldestDemandAgeMs: number | null;
  nextReleaseTime: Date | null;
  nextReleaseRule: NextReleaseRule;
  minQuantity: number;
  minValue: Amount;
  minQuantityProgress: number;
  minValueProgress: number;
  paused: boolean;
  /** Null while paused. */
  scheduledReleaseTime: Date | null;
}

export interface ListBuffersRequest {
  asOf: Date;
  limit: number;
  pageToken: string;
  dueBefore: Date | null;
  paused: boolean | null;
  nameContains: string;
  order: BufferOrder;
}

/** Where a page ends: the time the first page was worked out at (so every page sees the same next releases) and the last sort key. */
type Position = { asOf: number; order: BufferOrder; key: (string | number)[] };

const NEVER = Number.MAX_SAFE_INTEGER;

function summaryOf(row: BufferSummaryRow, asOf: Date): Omit<BufferSummary, 'lines'> {
  const policy: BufferPolicy = { ...row, minValue: Amount.parse(row.minValue, row.currencyCode) };
  const totals: BufferTotals = { quantity: row.quantity, value: Amount.parse(row.value, row.currencyCode), oldestDemandTime: row.oldestDemandTime };
  const next = nextRelease(policy, totals, row.nextReleaseTime, asOf);
  return {
    supplierId: row.supplierId,
    supplierName: row.name,
    currencyCode: row.currencyCode,
    totalQuantity: totals.quantity,
    totalValue: totals.value,
    oldestDemandTime: row.oldestDemandTime,
    oldestDemandAgeMs: row.oldestDemandTime ? asOf.getTime() - row.oldestDemandTime.getTime() : null,
    nextReleaseTime: next.time,
    nextReleaseRule: next.rule,
    minQuantity: policy.minQuantity,
    minValue: policy.minValue,
    minQuantityProgress: policy.minQuantity > 0 ? totals.quantity / policy.minQuantity : 0,
    minValueProgress: policy.minValue.isZero() ? 0 : Number((totals.value.nanos * 1_000_000n) / policy.minValue.nanos) / 1_000_000,
    paused: policy.paused,
    scheduledReleaseTime: policy.paused ? null : row.nextReleaseTime,
  };
}

/** The sort key of a summary: compared element by element (see compareKeys). */
function keyOf(s: Omit<BufferSummary, 'lines'>, order: BufferOrder): (string | number)[] {
  switch (order) {
    case 'NEXT_RELEASE':
      return [s.nextReleaseTime?.getTime() ?? NEVER, s.supplierId];
    case 'AGE':
      return [s.oldestDemandTime?.getTime() ?? NEVER, s.supplierId];
    case 'VALUE':
      // Highest value first within a currency; currencies in code order, never compared with each other.
      return [s.currencyCode, s.totalValue.nanos.toString(), s.supplierId];
    default:
      return [s.supplierId];
  }
}

function compareKeys(a: (string | number)[], b: (string | number)[], order: BufferOrder): number {
  for (let i = 0; i < a.length; i++) {
    let c: number;
    if (order === 'VALUE' && i === 1) {
      const [x, y] = [BigInt(a[i]), BigInt(b[i])];
      c = x > y ? -1 : x < y ? 1 : 0;
    } else {
      c = a[i] < b[i] ? -1 : a[i] > b[i] ? 1 : 0;
    }
    if (c !== 0) return c;
  }
  return 0;
}

function isPosition(order: BufferOrder) {
  return (p: unknown): p is Position => {
    const position = p as Position;
    return typeof p === 'object' && p !== null && Number.isSafeInteger(position.asOf) && position.order === order
      && Array.isArray(position.key) && position.key.length === (order === 'SUPPLIER' ? 1 : order === 'VALUE' ? 3 : 2)
      && position.key.every((k) => typeof k === 'string' || typeof k === 'number')
      && (order !== 'VALUE' || /^-?\d{1,40}$/.test(String(position.key[1])));
  };
}

/**
 * A page of every supplier's buffer: one aggregate statement over all buffers (name and paused filters in
 * it), then the release rules in memory for each supplier's next release (nextRelease), the due-before filter,
 * the order and the page; then the lines of the page's suppliers in one more statement. Later pages work
 * with the asOf of the first, so a buffer does not move between pages as time passes.
 */
export async function listBuffers(orm: Orm, request: ListBuffersRequest): Promise<{ buffers: BufferSummary[]; nextPageToken: string; asOf: Date }> {
  const { order, limit } = request;
  const after = decodePageToken(request.pageToken, isPosition(order));
  const asOf = after ? new Date(after.asOf) : request.asOf;
  const sql = sqlOf(orm.em.fork());
  const rows = await findBufferSummaries(sql, { nameContains: request.nameContains, paused: request.paused });
  const keyed = rows
    .map((row) => summaryOf(row, asOf))
    .filter((s) => request.dueBefore === null || (s.nextReleaseTime !== null && s.nextReleaseTime.getTime() < request.dueBefore.getTime()))
    .map((s) => ({ s, key: keyOf(s, order) }))
    .filter(({ key }) => !after || compareKeys(key, after.key, order) > 0)
    .sort((a, b) => compareKeys(a.key, b.key, order));
  const page = keyed.slice(0, limit);
  const lines = await findBufferLinesOf(sql, page.map(({ s }) => s.supplierId));
  const linesOf = new Map<string, BufferLine[]>();
  const currencyOf = new Map(page.map(({ s }) => [s.supplierId, s.currencyCode]));
  for (const { supplierId, ...line } of lines) {
    const value = Amount.parse(line.value, currencyOf.get(supplierId)!);
    linesOf.set(supplierId, [...(linesOf.get(supplierId) ?? []), { ...line, value }]);
  }
  const nextPageToken = keyed.length > limit ? encodePageToken({ asOf: asOf.getTime(), order, key: page[page.length - 1].key } satisfies Position) : '';
  return { buffers: page.map(({ s }) => ({ ...s, lines: linesOf.get(s.supplierId) ?? [] })), nextPageToken, asOf };
}
