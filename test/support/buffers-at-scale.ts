/** How many suppliers, SKUs each and buffered demand rows to seed. */
export interface BufferScale {
  suppliers: number;
  skusPerSupplier: number;
  demandRows: number;
}

/**
 * Set-based SQL that seeds many supplier buffers at once (used by bench/list-buffers.ts at the scale
 * and by test/console-scale.test.ts at a smaller one): suppliers SUP-0001… with mixed policies (thresholds,
 * max waits, every 17th paused, every 10th in USD), SKU-<s>-<k> from each, and demand rows spread over the
 * last 96 hours, all buffered with their SKU's supplier.
 */
export function bufferSeedStatements({ suppliers, skusPerSupplier, demandRows }: BufferScale): string[] {
  return [
    `INSERT INTO procurement.supplier (supplier_id, name, email, time_zone, quoted_lead_time_days, currency_code,
        min_quantity, min_value, max_wait_days, paused, release_schedule, next_release_time)
      SELECT 'SUP-' || lpad(s::text, 4, '0'), 'Supplier ' || s, 'orders@sup' || s || '.example', 'Europe/Berlin', 7, CASE WHEN s % 10 = 0 THEN 'USD' ELSE 'EUR' END,
        CASE WHEN s % 3 = 0 THEN 500 ELSE 0 END, CASE WHEN s % 4 = 0 THEN 2000 ELSE 0 END, s % 5, s % 17 = 0, '0 10 * * 1',
        now() + (s % 168) * interval '1 hour'
      FROM generate_series(1, ${suppliers}) s`,
    `INSERT INTO procurement.supplier_product (supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_quantity)
      SELECT 'SUP-' || lpad(s::text, 4, '0'), 'SKU-' || s || '-' || k, 'X-' || s || '-' || k, 1.25 + k, 1 + k % 3, k % 2 * 5
      FROM generate_series(1, ${suppliers}) s, generate_series(1, ${skusPerSupplier}) k`,
    `INSERT INTO procurement.demand (demand_id, sku, quantity, demand_time)
      SELECT 'D-' || i, 'SKU-' || (i % ${suppliers} + 1) || '-' || (i / ${suppliers} % ${skusPerSupplier} + 1), 1 + i % 4, now() - (i % 96) * interval '1 hour'
      FROM generate_series(1, ${demandRows}) i`,
    `INSERT INTO procurement.buffered_demand (demand_id, sku, supplier_id, quantity, demand_time)
      SELECT d.demand_id, d.sku, 'SUP-' || lpad(split_part(d.sku, '-', 2), 4, '0'), d.quantity, d.demand_time FROM procurement.demand d`,
    'ANALYZE',
  ];
}
