import type { Priority } from '../gen/restock/common/v1/priority';
import type { Sql } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { newBackorderEta, quoteSupply, type Eta } from './etas';
import { openBackordersOfCustomers, openBackordersOfSkus, unitsQueuedAhead } from './order.repository';

// What a batch's new backorders are checked against (customers' open backorders) and told (their ETA).

/** A new order of a batch, accepted, with the units reserved per line id. */
export interface NewOrder {
  priority: Priority;
  createTime: Date;
  lines: { lineId: string; sku: string; quantity: number }[];
  reserved: Map<string, number>;
}

/**
 * Units of each SKU customers already wait for: from the database (the customers' part read for the whole
 * batch in one statement), plus the orders of this batch accepted so far. Read under the SKUs' locks, so that
 * concurrent batches cannot both fit under a cap.
 */
export class OpenBackorders {
  private readonly accepted = new Map<string, number>();
  private readonly acceptedTotal = new Map<string, number>();

  private constructor(
    private readonly sql: Sql,
    private readonly ofCustomers: Map<string, number>,
  ) {}

  /** What the batch's customers wait for, of the SKUs their orders lack. */
  static async read(sql: Sql, wants: { customerId: string; skus: string[] }[]): Promise<OpenBackorders> {
    const pairs = wants.flatMap(({ customerId, skus }) => skus.map((sku) => ({ customerId, sku })));
    const rows = pairs.length > 0 ? await openBackordersOfCustomers(sql, pairs) : [];
    return new OpenBackorders(sql, new Map(rows.map((r) => [pairKey(r.customerId, r.sku), r.units])));
  }

  /** Units of each SKU the customer waits for (SKUs read for it in read()). */
  of(customerId: string, skus: string[]): Map<string, number> {
    return new Map(skus.map((sku) => [sku, (this.ofCustomers.get(pairKey(customerId, sku)) ?? 0) + (this.accepted.get(pairKey(customerId, sku)) ?? 0)]));
  }

  /** Units of each SKU all customers wait for. */
  async total(skus: string[]): Promise<Map<string, number>> {
    if (skus.length === 0) return new Map();
    const open = await openBackordersOfSkus(this.sql, skus);
    for (const sku of skus) open.set(sku, (open.get(sku) ?? 0) + (this.acceptedTotal.get(sku) ?? 0));
    return open;
  }

  add(customerId: string, shortfall: Map<string, number>): void {
    for (const [sku, units] of shortfall) {
      this.accepted.set(pairKey(customerId, sku), (this.accepted.get(pairKey(customerId, sku)) ?? 0) + units);
      this.acceptedTotal.set(sku, (this.acceptedTotal.get(sku) ?? 0) + units);
    }
  }
}

const pairKey = (customerId: string, sku: string) => `${customerId}\u0000${sku}`;

/**
 * ETAs of the accepted orders' backordered lines: each line waits behind the units queued ahead of it
 * (in the database, one query for all, and earlier in this batch), against its SKU's supply with the
 * batch's new demand counted in (one QuoteSupply call for the whole batch): the ETA the customer is told
 * is where the line's demand goes, not what the forecast said before it.
 */
export async function etasOfNewBackorders(deps: ServiceDeps, sql: Sql, orders: NewOrder[]): Promise<Map<string, Eta>> {
  const waiting = orders
    .flatMap((order) => order.lines.map((l) => ({ ...l, priority: order.priority, queueTime: order.createTime, waiting: l.quantity - (order.reserved.get(l.lineId) ?? 0) })))
    .filter((l) => l.waiting > 0)
    .sort((a, b) => b.priority - a.priority || a.queueTime.getTime() - b.queueTime.getTime() || (a.lineId < b.lineId ? -1 : 1));
  if (waiting.length === 0) return new Map();
  const inDatabase = await unitsQueuedAhead(sql, waiting);
  const demand = new Map<string, number>();
  for (const line of waiting) demand.set(line.sku, (demand.get(line.sku) ?? 0) + line.waiting);
  const quotes = await quoteSupply(deps.peers, [...demand].map(([sku, quantity]) => ({ sku, quantity })));
  const inBatch = new Map<string, number>();
  const etas = new Map<string, Eta>();
  for (const line of waiting) {
    const ahead = inDatabase.get(line.lineId)! + (inBatch.get(line.sku) ?? 0);
    etas.set(line.lineId, newBackorderEta(ahead, line.waiting, quotes.get(line.sku)));
    inBatch.set(line.sku, (inBatch.get(line.sku) ?? 0) + line.waiting);
  }
  return etas;
}

