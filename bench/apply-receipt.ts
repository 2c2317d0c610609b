import { measure, startBenchApp } from './support';

// ApplyReceipt across a queue of 10,000 waiting lines: one receipt that fills the whole queue (the worst case).
const WAITING_LINES = Number(process.env.BENCH_WAITING_LINES ?? 10_000);
const SKU = 'BENCH-RECEIPT';

async function main(): Promise<void> {
  const bench = await startBenchApp('apply_receipt', { OUTBOX_POLL_MS: '3600000' });
  await bench.inventory.upsertProduct({
    product: { sku: SKU, name: SKU, unitPrice: { currencyCode: 'EUR', units: 5, nanos: 0 }, backorderPolicy: { acceptBackorders: true } },
  });
  await measure(WAITING_LINES, 32, (i) =>
    bench.orders.placeOrder({
      requestId: `wait-${i}`,
      customerId: `customer-${i}`,
      customerEmail: `customer-${i}@example.com`,
      priority: 1 + (i % 3),
      lines: [{ sku: SKU, quantity: 1 }],
    }),
  );
  const { backorders } = await bench.orders.listBackorders({ sku: SKU, pageSize: 1 });
  const started = performance.now();
  const applied = await bench.orders.applyReceipt({ receiptId: 'bench-receipt', sku: SKU, quantity: WAITING_LINES });
  const ms = performance.now() - started;
  const report = {
    scenario: 'ApplyReceipt over a queue of waiting lines',
    waitingLines: WAITING_LINES,
    firstInQueue: backorders[0]?.position,
    allocatedLines: applied.allocations.length,
    unallocated: applied.unallocatedQuantity,
    applyReceiptMs: Math.round(ms),
    targetMs: 500,
  };
  await bench.app.stop();
  await bench.dropDatabase();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
