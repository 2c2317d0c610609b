import { measure, pgbenchTps, startBenchApp } from './support';

/**
 * ReserveStock throughput at 32 concurrent clients: 2-line reservations on 100 SKUs with plenty of stock,
 * against pgbench TPC-B on the same PostgreSQL. Run: npx tsx bench/reserve-stock.ts
 */
async function main(): Promise<void> {
  const CLIENTS = 32;
  const CALLS = 5000;
  const SKUS = 100;
  const bench = await startBenchApp('reserve');
  for (let i = 0; i < SKUS; i++) {
    const sku = `BENCH-${i}`;
    await bench.inventory.upsertProduct({ product: { sku, name: sku, unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 } } });
    await bench.inventory.adjustStock({ requestId: `seed-${sku}`, sku, delta: 1_000_000, reason: 'seed' });
  }
  const reserve = (i: number) =>
    bench.inventory.reserveStock({
      requestId: `bench-${i}`,
      lines: [
        { lineId: `bench-${i}-a`, sku: `BENCH-${i % SKUS}`, quantity: 1 },
        { lineId: `bench-${i}-b`, sku: `BENCH-${(i * 7 + 3) % SKUS}`, quantity: 2 },
      ],
    });
  await measure(200, CLIENTS, (i) => reserve(1_000_000 + i)); // warm-up
  const result = await measure(CALLS, CLIENTS, reserve);
  await bench.app.stop();
  const baseline = pgbenchTps(bench.databaseUrl, CLIENTS, 15);
  await bench.dropDatabase();
  console.log(`ReserveStock, ${CLIENTS} clients, ${CALLS} calls of 2 lines`);
  console.log(`  ${result.perSecond.toFixed(0)} reservations/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`);
  console.log(`  pgbench TPC-B, ${CLIENTS} clients: ${baseline.toFixed(0)} tps -> ratio ${(result.perSecond / baseline).toFixed(2)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
