import type { Supplier, SupplierProduct } from '../../src/gen/restock/procurement/v1/supplier';
import type { Clock } from '../../src/platform/clock';
import type { TestApp } from './harness';

/** A clock tests set by hand. */
export class TestClock implements Clock {
  constructor(public time: Date) {}
  now(): Date {
    return new Date(this.time);
  }
  set(iso: string): void {
    this.time = new Date(iso);
  }
}

/** Money in EUR from a number of cents. */
export function eur(cents: number) {
  return { currencyCode: 'EUR', units: Math.floor(cents / 100), nanos: (cents % 100) * 10_000_000 };
}

/** A supplier in Europe/Berlin, EUR, 7-day quote, with all rules off unless given. */
export function supplierOf(supplierId: string, policy: Partial<NonNullable<Supplier['bufferPolicy']>> = {}): Partial<Supplier> {
  return {
    supplierId,
    name: `Supplier ${supplierId}`,
    email: `orders@${supplierId.toLowerCase()}.example`,
    timeZone: 'Europe/Berlin',
    quotedLeadTimeDays: 7,
    currencyCode: 'EUR',
    bufferPolicy: { minQuantity: 0, minValue: undefined, releaseSchedule: '', maxWaitDays: 0, paused: false, ...policy },
  };
}

/** Creates a supplier and its products (unit cost in cents, pack size 1 and no MOQ unless given). */
export async function seedSupplier(
  t: TestApp,
  supplierId: string,
  policy: Partial<NonNullable<Supplier['bufferPolicy']>>,
  products: (Partial<SupplierProduct> & { sku: string; cents?: number })[],
): Promise<void> {
  await t.procurement.upsertSupplier({ supplier: supplierOf(supplierId, policy) });
  for (const { cents = 1000, ...product } of products) {
    await t.procurement.upsertSupplierProduct({
      supplierProduct: { supplierId, supplierSku: `S-${product.sku}`, unitCost: eur(cents), packSize: 1, minOrderQuantity: 0, ...product },
    });
  }
}
