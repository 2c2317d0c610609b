import { sqlOf } from '../platform/orm';
import type { ServiceDeps } from '../platform/service-module';
import { backorderPolicyOf, backorderRefusals, type RefusalReason } from './backorder-rules';
import { newBackorderEta, quoteSupply, type Eta } from './etas';
import { openBackordersOfCustomer, queueOfSku } from './order.repository';
import { askPeer } from './peer-errors';

/** What QuoteAvailability is asked: a SKU, units, and the customer whose cap applies ('' = none). */
export interface AvailabilityRequest {
  sku: string;
  quantity: number;
  customerId: string;
}

/** What an order of the units would get now, and when the rest would come. */
export interface AvailabilityQuote {
  availableQuantity: number;
  backorderQuantity: number;
  backorderable: boolean;
  notBackorderableReason: RefusalReason | '';
  /** Undefined when the product has no per-customer cap (or no customer was given). */
  customerCapRemaining: number | undefined;
  /** Undefined when nothing would wait, or it may not. */
  eta: Eta | undefined;
}

/**
 * QuoteAvailability, as PlaceOrder would decide for a standard-priority order now, changing nothing:
 * Inventory's free stock unless older lines wait for the SKU (the FIFO gate), PlaceOrder's backorder rules
 * for the rest (backorderRefusals), and the rest's ETA as PlaceOrder tells it (behind the units waiting,
 * against Procurement's QuoteSupply). Costs two Inventory calls and one Procurement call, in parallel where they can be.
 */
export async function quoteAvailability(deps: ServiceDeps, request: AvailabilityRequest): Promise<AvailabilityQuote> {
  const { sku, quantity, customerId } = request;
  const sql = sqlOf(deps.orm.em.fork());
  const [product, free, queue, open] = await Promise.all([
    askPeer('inventory', () => deps.peers.inventory.batchGetProducts({ skus: [sku] })).then((r) => r.products[0]),
    askPeer('inventory', () => deps.peers.inventory.getStock({ sku })).then((r) => r.stock?.available ?? 0),
    queueOfSku(sql, sku),
    customerId ? openBackordersOfCustomer(sql, customerId, [sku]) : Promise.resolve(new Map<string, number>()),
  ]);
  const availableQuantity = queue.gateClosed ? 0 : Math.max(0, Math.min(quantity, free));
  const backorderQuantity = quantity - availableQuantity;
  const policy = backorderPolicyOf(product);
  const cap = customerId ? policy.maxBackorderQuantityPerCustomer : 0;
  // No customer: no cap to check. With nothing short, whether a unit more could wait.
  const refusal = backorderRefusals(new Map([[sku, backorderQuantity]]), new Map([[sku, { ...policy, maxBackorderQuantityPerCustomer: cap }]]), open, new Map([[sku, queue.waiting]])).get(sku);
  let eta: Eta | undefined;
  if (backorderQuantity > 0 && !refusal) {
    const quotes = await quoteSupply(deps.peers, [{ sku, quantity: backorderQuantity }]);
    eta = newBackorderEta(queue.waiting, backorderQuantity, quotes.get(sku));
  }
  return {
    availableQuantity,
    backorderQuantity,
    backorderable: !refusal,
    notBackorderableReason: refusal ?? '',
    customerCapRemaining: cap > 0 ? Math.max(0, cap - (open.get(sku) ?? 0)) : undefined,
    eta,
  };
}
