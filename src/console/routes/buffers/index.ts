import type { FastifyInstance } from 'fastify';
import type { Money } from '../../../gen/restock/common/v1/money';
import type { Supplier } from '../../../gen/restock/procurement/v1/supplier';
import type { Buffer } from '../../../gen/restock/procurement/v1/buffer';
import { Amount } from '../../../platform/money';
import type { Api } from '../../api';
import { render } from '../../render';

/** One row of the buffers page. */
export interface BufferRow {
  supplier: Supplier;
  units: number;
  value?: Money;
  lines: number;
  oldestDemandTime?: Date;
  nextReleaseTime?: Date;
  /** The rule that releases it next, as far as the API says. */
  rule: string;
  /** Progress toward the minimum quantity / value (0-1), when that threshold is on. */
  quantityProgress?: number;
  valueProgress?: number;
  paused: boolean;
}

const SORTS = ['next', 'age', 'value', 'units', 'name'] as const;
type Sort = (typeof SORTS)[number];

/**
 * The buffers of every supplier. Today: ListSuppliers, then GetBuffer per supplier; ListBuffers (one paginated
 * call with totals, progress, age and the next rule) replaces this function when it lands.
 */
export async function fetchBuffers(api: Api): Promise<BufferRow[]> {
  const suppliers: Supplier[] = [];
  let pageToken = '';
  do {
    const page = await api.procurement.listSuppliers({ pageSize: 1000, pageToken });
    suppliers.push(...page.suppliers);
    pageToken = page.nextPageToken;
  } while (pageToken);
  const rows: BufferRow[] = [];
  for (let i = 0; i < suppliers.length; i += 32) {
    const batch = suppliers.slice(i, i + 32);
    const buffers = await Promise.all(batch.map((supplier) => api.procurement.getBuffer({ supplierId: supplier.supplierId })));
    batch.forEach((supplier, j) => rows.push(toRow(supplier, buffers[j].buffer!)));
  }
  return rows;
}

function toRow(supplier: Supplier, buffer: Buffer): BufferRow {
  const policy = supplier.bufferPolicy;
  const oldest = buffer.lines.map((line) => line.oldestDemandTime).filter((time): time is Date => Boolean(time)).sort((a, b) => a.getTime() - b.getTime())[0];
  const minValue = policy?.minValue?.currencyCode ? Amount.of(policy.minValue) : undefined;
  const value = buffer.totalValue?.currencyCode ? Amount.of(buffer.totalValue) : undefined;
  return {
    supplier,
    units: buffer.totalQuantity,
    value: buffer.totalValue,
    lines: buffer.lines.length,
    oldestDemandTime: oldest,
    nextReleaseTime: buffer.nextReleaseTime,
    rule: policy?.paused ? 'paused' : `schedule ${policy?.releaseSchedule || '0 10 * * 1'} (${supplier.timeZone})`,
    quantityProgress: policy?.minQuantity ? buffer.totalQuantity / policy.minQuantity : undefined,
    valueProgress: minValue && !minValue.isZero() && value && value.currencyCode === minValue.currencyCode ? Number(value.nanos) / Number(minValue.nanos) : undefined,
    paused: Boolean(policy?.paused),
  };
}

/** The rows shown: "due today" keeps buffers released before the end of today (UTC), then the chosen order. */
export function shownRows(rows: BufferRow[], options: { dueToday: boolean; sort: Sort; now: Date }): BufferRow[] {
  const endOfDay = new Date(options.now);
  endOfDay.setUTCHours(24, 0, 0, 0);
  const kept = options.dueToday ? rows.filter((row) => row.units > 0 && row.nextReleaseTime && row.nextReleaseTime < endOfDay) : rows;
  const time = (date: Date | undefined, missing: number) => date?.getTime() ?? missing;
  const compare: Record<Sort, (a: BufferRow, b: BufferRow) => number> = {
    next: (a, b) => time(a.nextReleaseTime, Infinity) - time(b.nextReleaseTime, Infinity),
    age: (a, b) => time(a.oldestDemandTime, Infinity) - time(b.oldestDemandTime, Infinity),
    // values of different currencies are not compared: grouped by currency, largest first within each
    value: (a, b) => (a.value?.currencyCode ?? '').localeCompare(b.value?.currencyCode ?? '') || moneyNanos(b.value) - moneyNanos(a.value),
    units: (a, b) => b.units - a.units,
    name: (a, b) => a.supplier.name.localeCompare(b.supplier.name),
  };
  return [...kept].sort((a, b) => compare[options.sort](a, b) || a.supplier.name.localeCompare(b.supplier.name));
}

function moneyNanos(money: Money | undefined): number {
  return money?.currencyCode ? Number(Amount.of(money).nanos) : 0;
}

export default async function bufferRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { due?: string; sort?: string } }>('/buffers', async (request, reply) => {
    const sort = (SORTS as readonly string[]).includes(request.query.sort ?? '') ? (request.query.sort as Sort) : 'next';
    const dueToday = request.query.due === 'today';
    const rows = shownRows(await fetchBuffers(request.api), { dueToday, sort, now: new Date() });
    return render(request, reply, 'buffers.eta', { title: 'Buffers', rows, sort, sorts: SORTS, dueToday, now: new Date() });
  });
}
