import { measureWithDeliveries, pgbenchTps, startBenchApp } from './support';

// PlaceOrder when lines wait: 32 concurrent clients, 2-line orders, one line in stock and one backordered (no
// stock, sold by a supplier whose buffer does not release during the run), so each order is told the
// backordered line's ETA in its confirmation email and its demand goes to Procurement; against pgbench TPC-B
// on the same server. Compared with bench/place-order.ts it shows what a backorder costs (the ETA quote, the
// demand, its buffering); compared with a commit before ETAs were quoted at placement, what the quote costs.
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const SKUS = 200;
const WARMUP = 300;
const ORDERS = Number(process.env.BENCH_ORDERS ?? 4000);
const PGBENCH_SECONDS = 10;

async function main(): Promise<void> {
  // no tick: the buffers are not released (nor the outbox's demand held back) by the scheduler during the run
  const bench = await startBenchApp('place_backorder', { SCHEDULER_TICK: '0 0 1 1 *' });
  const stocked = Array.from({ length: SKUS }, (_, i) => `STOCK-${String(i).padStart(4, '0')}`);
  const waiting = Array.from({ length: SKUS }, (_, i) => `WAIT-${String(i).padStart(4, '0')}`);
  await bench.procurement.upsertSupplier({
    supplier: {
      supplierId: 'BENCH-SUPPLIER', name: 'Bench Supplier', email: 'orders@bench.example', timeZone: 'Europe/Berlin', quotedLeadTimeDays: 7, currencyCode: 'EUR',
      bufferPolicy: { minQuantity: 0, releaseSchedule: '0 10 1 1 *', maxWaitDays: 0, paused: false },
    },
  });
  for (const sku of [...stocked, ...waiting]) {
    await bench.inventory.upsertProduct({
      product: { sku, name: `Product ${sku}`, unitPrice: { currencyCode: 'EUR', units: 5, nanos: 0 }, backorderPolicy: { acceptBackorders: true } },
    });
  }
  for (const sku of stocked) await bench.inventory.adjustStock({ requestId: `seed-${sku}`, sku, delta: 1_000_000, reason: 'seed' });
  for (const sku of waiting) {
    await bench.procurement.upsertSupplierProduct({
      supplierProduct: { supplierId: 'BENCH-SUPPLIER', sku, supplierSku: `S-${sku}`, unitCost: { currencyCode: 'EUR', units: 2, nanos: 0 }, packSize: 1, minOrderQuantity: 0, preferred: true },
    });
  }
  const place = (i: number) =>
    bench.orders.placeOrder({
      requestId: `bench-${i}`,
      customerId: `customer-${i % 1000}`,
      customerEmail: `customer-${i % 1000}@example.com`,
      lines: [
        { sku: stocked[i % SKUS], quantity: 1 },
        { sku: waiting[(i * 7 + 3) % SKUS], quantity: 2 },
      ],
    });
  // delivered in both directions: demand to Procurement, ETA refreshes back to Orders
  const result = await measureWithDeliveries(bench, { warmup: WARMUP, total: ORDERS, clients: CLIENTS, schemas: ['orders', 'procurement'] }, place);
  const etas = (await bench.app.orms.orders!.em.getKnex().raw(
    "SELECT count(*) FILTER (WHERE eta_source = 2)::int AS buffer, count(*)::int AS lines FROM orders.order_line WHERE initially_backordered > 0",
  )).rows[0];
  await bench.app.stop();
  const tps = pgbenchTps(bench.databaseUrl, CLIENTS, PGBENCH_SECONDS);
  await bench.dropDatabase();
  const report = {
    scenario: 'PlaceOrder, 1 line in stock + 1 backordered (ETA from the supplier buffer)',
    clients: CLIENTS,
    orders: result.calls,
    ordersPerSecond: Math.round(result.perSecond),
    p50Ms: Number(result.p50Ms.toFixed(1)),
    p99Ms: Number(result.p99Ms.toFixed(1)),
    outboxStillQueuedAtEnd: result.queuedAtEnd,
    processCpuMsPerOrderWithEmailAndDemand: Number(result.cpuMsPerCall.toFixed(3)),
    backorderedLinesWithABufferEta: `${etas.buffer} of ${etas.lines}`,
    pgbenchTps: Math.round(tps),
    ratioToPgbench: Number((result.perSecond / tps).toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
