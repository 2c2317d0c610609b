import { invalidArgument } from '../platform/errors';
import { Amount } from '../platform/money';
import { sqlOf, type Orm } from '../platform/orm';
import type { PolicySettings } from './buffer-policy';
import { findDemandArrivals, findDemandCancellations } from './demand.repository';
import { rulesOf } from './release';
import { simulate, type SimulationResult } from './simulation';
import { findServedProducts } from './supplier-product.repository';
import { findSupplier } from './supplier.repository';

/**
 * SimulatePolicy: replays the demand that arrived in [start, end) for the SKUs the supplier serves now, and
 * the cancellations asked in that window, through the proposed policy and through the current one
 * (simulate: the release path's own rules and rounding), with the supplier's current products and time zone.
 * A proposed min value in another currency than the supplier's is INVALID_ARGUMENT. Reads only.
 */
export async function simulatePolicy(
  orm: Orm,
  request: { supplierId: string; proposed: PolicySettings; minValueCurrency: string; start: Date; end: Date },
): Promise<{ proposed: SimulationResult; current: SimulationResult }> {
  const em = orm.em.fork();
  const sql = sqlOf(em);
  const supplier = await findSupplier(em, request.supplierId);
  const { currencyCode, timeZone } = supplier;
  if (!Amount.parse(request.proposed.minValue, request.minValueCurrency).isZero() && request.minValueCurrency !== currencyCode) {
    throw invalidArgument([{ field: 'proposed_policy.min_value.currency_code', description: `must be the supplier currency ${currencyCode}` }]);
  }
  const [products, arrivals, cancellations] = await Promise.all([
    findServedProducts(sql, supplier.supplierId),
    findDemandArrivals(sql, supplier.supplierId, request.start, request.end),
    findDemandCancellations(sql, supplier.supplierId, request.start, request.end),
  ]);
  const setup = {
    timeZone,
    currencyCode,
    start: request.start,
    end: request.end,
    products: products.map((p) => ({ ...p, unitCost: Amount.parse(p.unitCost, currencyCode) })),
  };
  const demand = arrivals.map((d) => ({ ...d, time: d.demandTime }));
  const cancelled = cancellations.map((c) => ({ demandId: c.demandId, quantity: c.requestedQuantity, time: c.cancelTime }));
  return {
    proposed: simulate(rulesOf({ ...supplier, policy: request.proposed }), setup, demand, cancelled),
    current: simulate(rulesOf(supplier), setup, demand, cancelled),
  };
}
