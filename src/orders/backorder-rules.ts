import { failedPrecondition, type DomainError } from '../platform/errors';

/** What a product allows to be backordered. */
export interface BackorderPolicy {
  acceptBackorders: boolean;
  /** 0 = no cap. */
  maxBackorderQuantityPerCustomer: number;
  discontinued: boolean;
  /** Units that may wait at once across customers; 0 (or unset) = no cap. */
  maxBackorderQuantityTotal?: number;
}

/** A product's backorder policy as Inventory sends it, unset fields at their defaults (no backorders). */
export function backorderPolicyOf(product: { backorderPolicy?: Partial<BackorderPolicy> }): BackorderPolicy {
  return { acceptBackorders: false, maxBackorderQuantityPerCustomer: 0, discontinued: false, ...product.backorderPolicy };
}

export type RefusalReason = 'PRODUCT_DISCONTINUED' | 'BACKORDERS_NOT_ACCEPTED' | 'BACKORDER_LIMIT_EXCEEDED' | 'PRODUCT_BACKORDER_LIMIT_EXCEEDED';

/**
 * Why each SKU's shortfall may not be backordered (SKUs that may are left out): a discontinued product
 * is never backordered, a product must accept backorders, the customer's open backorders of the SKU plus
 * this shortfall must stay within the per-customer cap, and all customers' open backorders of the SKU
 * (openTotals) plus this shortfall within the product's cap.
 */
export function backorderRefusals(
  shortfall: Map<string, number>,
  policies: Map<string, BackorderPolicy>,
  openBackorders: Map<string, number>,
  openTotals: Map<string, number> = new Map(),
): Map<string, RefusalReason> {
  const refusals = new Map<string, RefusalReason>();
  for (const [sku, units] of shortfall) {
    const policy = policies.get(sku)!;
    const cap = policy.maxBackorderQuantityPerCustomer;
    if (policy.discontinued) refusals.set(sku, 'PRODUCT_DISCONTINUED');
    else if (!policy.acceptBackorders) refusals.set(sku, 'BACKORDERS_NOT_ACCEPTED');
    else if (cap > 0 && (openBackorders.get(sku) ?? 0) + units > cap) refusals.set(sku, 'BACKORDER_LIMIT_EXCEEDED');
    else if ((policy.maxBackorderQuantityTotal ?? 0) > 0 && (openTotals.get(sku) ?? 0) + units > policy.maxBackorderQuantityTotal!) {
      refusals.set(sku, 'PRODUCT_BACKORDER_LIMIT_EXCEEDED');
    }
  }
  return refusals;
}

/**
 * The FAILED_PRECONDITION refusing a whole order: its reason is the SKUs' common reason, or
 * INSUFFICIENT_STOCK when they differ; metadata maps each refused SKU to its own reason.
 */
export function orderRefused(refusals: Map<string, RefusalReason>, shortfall: Map<string, number>): DomainError {
  const reasons = new Set(refusals.values());
  const reason = reasons.size === 1 ? [...reasons][0] : 'INSUFFICIENT_STOCK';
  const detail = [...refusals].map(([sku, why]) => `${sku}: ${why} (${shortfall.get(sku)} short)`).join(', ');
  return failedPrecondition(reason, `the order cannot be placed: ${detail}`, { skus: [...refusals.keys()].join(','), ...Object.fromEntries(refusals) });
}
