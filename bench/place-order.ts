import { measureWithDeliveries, pgbenchTps, startBenchApp } from './support';

// PlaceOrder throughput: 32 concurrent clients, 2-line orders, stock available, against pgbench TPC-B on the same server.
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const SKUS = 200;
const WARMUP = 300;
const ORDERS = Number(process.env.BENCH_ORDERS ?? 6000);
const PGBENCH_SECONDS = 10;

async function main(): Promise<void> {
  const bench = await startBenchApp('place_order');
  const skus = Array.from({ length: SKUS }, (_, i) => `BENCH-${String(i).padStart(4, '0')}`);
  for (const sku of skus) {
    await bench.inventory.upsertProduct({
      product: { sku, name: sku, unitPrice: { currencyCode: 'EUR', units: 5, nanos: 0 }, backorderPolicy: { acceptBackorders: true } },
    });
    await bench.inventory.adjustStock({ requestId: `seed-${sku}`, sku, delta: 1_000_000, reason: 'seed' });
  }
  const place = (i: number) =>
    bench.orders.placeOrder({
      requestId: `bench-${i}`,
      customerId: `customer-${i % 1000}`,
      customerEmail: `customer-${i % 1000}@example.com`,
      lines: [
        { sku: skus[i % SKUS], quantity: 1 },
        { sku: skus[(i * 7 + 3) % SKUS], quantity: 2 },
      ],
    });
  // Each order also queues a confirmation email; the CPU figure covers the orders and their emails.
  const result = await measureWithDeliveries(bench, { warmup: WARMUP, total: ORDERS, clients: CLIENTS, schemas: ['orders'] }, place);
  await bench.app.stop();
  const tps = pgbenchTps(bench.databaseUrl, CLIENTS, PGBENCH_SECONDS);
  await bench.dropDatabase();
  const report = {
    scenario: 'PlaceOrder, 2 lines in stock',
    clients: CLIENTS,
    orders: result.calls,
    ordersPerSecond: Math.round(result.perSecond),
    p50Ms: Number(result.p50Ms.toFixed(1)),
    p99Ms: Number(result.p99Ms.toFixed(1)),
    emailsStillQueuedAtEnd: result.queuedAtEnd,
    processCpuMsPerOrderWithEmail: Number(result.cpuMsPerCall.toFixed(3)),
    pgbenchTps: Math.round(tps),
    ratioToPgbench: Number((result.perSecond / tps).toFixed(2)),
    targets: { ordersPerSecond: 500, ratioToPgbench: 0.25 },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
