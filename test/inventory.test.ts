import { status } from '@grpc/grpc-js';
import { StockMovementKind } from '../src/gen/restock/inventory/v1/stock';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { query } from './support/db';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
});
afterAll(() => t.stop());

const widget = {
  sku: 'WIDGET-1',
  name: 'Widget',
  unitPrice: { currencyCode: 'EUR', units: 12, nanos: 500_000_000 },
  backorderPolicy: { acceptBackorders: true, maxBackorderQuantityPerCustomer: 5, discontinued: false, maxBackorderQuantityTotal: 0 },
};

async function product(sku: string, onHand = 0) {
  await t.inventory.upsertProduct({ product: { ...widget, sku } });
  if (onHand > 0) await t.inventory.adjustStock({ requestId: `seed-${sku}`, sku, delta: onHand, reason: 'seed' });
}

/** The dedupe keys of the outbox's free-stock announcements of sku, oldest first. */
async function freeStockAnnouncements(sku: string): Promise<string[]> {
  const rows = await query<{ dedupeKey: string }>(
    t.databaseUrl,
    "SELECT dedupe_key FROM inventory.outbox WHERE topic = 'orders.allocate-stock' AND payload->>'sku' = $1 ORDER BY id",
    [sku],
  );
  return rows.map((row) => row.dedupeKey);
}

describe('products', () => {
  it('upserts, gets and batch-gets products with their backorder policy', async () => {
    const { product: created } = await t.inventory.upsertProduct({ product: widget });
    expect(created).toEqual(widget);
    await t.inventory.upsertProduct({ product: { ...widget, name: 'Widget v2', backorderPolicy: { discontinued: true } } });
    const { product: got } = await t.inventory.getProduct({ sku: 'WIDGET-1' });
    expect(got?.name).toBe('Widget v2');
    expect(got?.backorderPolicy).toEqual({ acceptBackorders: false, maxBackorderQuantityPerCustomer: 0, discontinued: true, maxBackorderQuantityTotal: 0 });

    await product('GADGET-1');
    const { products } = await t.inventory.batchGetProducts({ skus: ['GADGET-1', 'WIDGET-1'] });
    expect(products.map((p) => p.sku)).toEqual(['GADGET-1', 'WIDGET-1']);
  });

  it('answers NOT_FOUND for an unknown SKU, also inside a batch', async () => {
    expect((await grpcError(t.inventory.getProduct({ sku: 'NOPE' }))).code).toBe(status.NOT_FOUND);
    const batch = await grpcError(t.inventory.batchGetProducts({ skus: ['WIDGET-1', 'NOPE'] }));
    expect(batch.code).toBe(status.NOT_FOUND);
    expect(batch.reason).toBe('PRODUCT_NOT_FOUND');
    expect(batch.metadata.product).toBe('NOPE');
  });

  it('keeps stock when a product is upserted again', async () => {
    await product('KEEP-1', 7);
    await t.inventory.upsertProduct({ product: { ...widget, sku: 'KEEP-1', name: 'renamed' } });
    expect((await t.inventory.getStock({ sku: 'KEEP-1' })).stock).toEqual({ sku: 'KEEP-1', onHand: 7, reserved: 0, available: 7 });
  });
});

describe('stock', () => {
  it('adjusts stock up and down, never below what is reserved', async () => {
    await product('ADJ-1');
    expect((await t.inventory.adjustStock({ requestId: 'adj-1', sku: 'ADJ-1', delta: 10, reason: 'count' })).stock?.onHand).toBe(10);
    await t.inventory.reserveStock({ requestId: 'adj-res', lines: [{ lineId: 'adj-line', sku: 'ADJ-1', quantity: 6 }] });
    const refused = await grpcError(t.inventory.adjustStock({ requestId: 'adj-2', sku: 'ADJ-1', delta: -5, reason: 'damage' }));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.reason).toBe('INSUFFICIENT_STOCK');
    expect(refused.metadata.available).toBe('4');
    const { stock } = await t.inventory.adjustStock({ requestId: 'adj-3', sku: 'ADJ-1', delta: -4, reason: 'damage' });
    expect(stock).toEqual({ sku: 'ADJ-1', onHand: 6, reserved: 6, available: 0 });
  });

  it('applies a retried AdjustStock once and returns the first result', async () => {
    await product('RETRY-1');
    const first = await t.inventory.adjustStock({ requestId: 'retry-adj', sku: 'RETRY-1', delta: 3, reason: 'count' });
    await t.inventory.adjustStock({ requestId: 'retry-adj-other', sku: 'RETRY-1', delta: 1, reason: 'count' });
    const again = await t.inventory.adjustStock({ requestId: 'retry-adj', sku: 'RETRY-1', delta: 3, reason: 'count' });
    expect(again).toEqual(first);
    expect((await t.inventory.getStock({ sku: 'RETRY-1' })).stock?.onHand).toBe(4);
    const reused = await grpcError(t.inventory.adjustStock({ requestId: 'retry-adj', sku: 'RETRY-1', delta: 9, reason: 'count' }));
    expect(reused.code).toBe(status.ALREADY_EXISTS);
    expect((await t.inventory.getStock({ sku: 'RETRY-1' })).stock?.onHand).toBe(4);
  });

  it('receives a receipt once, however often it is retried', async () => {
    await product('RCV-1');
    const results = await Promise.all(Array.from({ length: 5 }, () => t.inventory.receiveStock({ receiptId: 'rcpt-1', sku: 'RCV-1', quantity: 8 })));
    expect(new Set(results.map((r) => r.stock?.onHand))).toEqual(new Set([8]));
    expect((await t.inventory.getStock({ sku: 'RCV-1' })).stock).toEqual({ sku: 'RCV-1', onHand: 8, reserved: 0, available: 8 });
  });

  it('announces every increase of free stock to Orders through the outbox', async () => {
    await product('FREE-1');
    await t.inventory.receiveStock({ receiptId: 'free-rcpt', sku: 'FREE-1', quantity: 2 });
    await t.inventory.adjustStock({ requestId: 'free-adj', sku: 'FREE-1', delta: 1, reason: 'found' });
    await t.inventory.adjustStock({ requestId: 'free-adj-down', sku: 'FREE-1', delta: -1, reason: 'lost' });
    await t.inventory.reserveStock({ requestId: 'free-res', lines: [{ lineId: 'free-line', sku: 'FREE-1', quantity: 2 }] });
    await t.inventory.releaseStock({ requestId: 'free-rel', lines: [{ lineId: 'free-line', quantity: 1 }] });
    expect(await freeStockAnnouncements('FREE-1')).toEqual([
      'allocate-stock:FREE-1:receipt:free-rcpt',
      'allocate-stock:FREE-1:adjust:free-adj',
      'allocate-stock:FREE-1:release:free-rel',
    ]);
  });

  it('does not announce a receipt whose caller allocates the units itself', async () => {
    await product('CALLER-1');
    await t.inventory.receiveStock({ receiptId: 'caller-rcpt', sku: 'CALLER-1', quantity: 3, callerAllocates: true });
    await t.inventory.receiveStock({ receiptId: 'unset-rcpt', sku: 'CALLER-1', quantity: 2 });
    await t.inventory.receiveStock({ receiptId: 'false-rcpt', sku: 'CALLER-1', quantity: 1, callerAllocates: false });
    expect(await freeStockAnnouncements('CALLER-1')).toEqual(['allocate-stock:CALLER-1:receipt:unset-rcpt', 'allocate-stock:CALLER-1:receipt:false-rcpt']);
    expect((await t.inventory.getStock({ sku: 'CALLER-1' })).stock).toEqual({ sku: 'CALLER-1', onHand: 6, reserved: 0, available: 6 });
    const { movements } = await t.inventory.listStockMovements({ sku: 'CALLER-1' });
    expect(movements.map((m) => [m.kind, m.onHandDelta, m.reference])).toEqual([
      [StockMovementKind.STOCK_MOVEMENT_KIND_RECEIPT, 1, 'false-rcpt'],
      [StockMovementKind.STOCK_MOVEMENT_KIND_RECEIPT, 2, 'unset-rcpt'],
      [StockMovementKind.STOCK_MOVEMENT_KIND_RECEIPT, 3, 'caller-rcpt'],
    ]);

    // the flag is part of the request: the same receipt id with it flipped is another request
    const flipped = await grpcError(t.inventory.receiveStock({ receiptId: 'caller-rcpt', sku: 'CALLER-1', quantity: 3 }));
    expect(flipped.code).toBe(status.ALREADY_EXISTS);
    expect(await freeStockAnnouncements('CALLER-1')).toHaveLength(2);
  });
});

describe('reservations', () => {
  it('reserves all or nothing unless partial reservation is allowed', async () => {
    await product('RES-A', 5);
    await product('RES-B', 1);
    const refused = await grpcError(
      t.inventory.reserveStock({ requestId: 'res-1', lines: [{ lineId: 'l1', sku: 'RES-A', quantity: 2 }, { lineId: 'l2', sku: 'RES-B', quantity: 2 }] }),
    );
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.reason).toBe('INSUFFICIENT_STOCK');
    expect((await t.inventory.getStock({ sku: 'RES-A' })).stock?.reserved).toBe(0);

    const { results } = await t.inventory.reserveStock({
      requestId: 'res-2',
      allowPartial: true,
      lines: [
        { lineId: 'l1', sku: 'RES-A', quantity: 4 },
        { lineId: 'l2', sku: 'RES-B', quantity: 2 },
        { lineId: 'l3', sku: 'RES-A', quantity: 4 },
      ],
    });
    expect(results.map((r) => [r.lineId, r.reservedQuantity])).toEqual([
      ['l1', 4],
      ['l2', 1],
      ['l3', 1],
    ]);
    expect((await t.inventory.getStock({ sku: 'RES-A' })).stock).toEqual({ sku: 'RES-A', onHand: 5, reserved: 5, available: 0 });
  });

  it('adds to a line reservation, releases and ships it, keeping the ledger', async () => {
    await product('SHIP-1', 10);
    await t.inventory.reserveStock({ requestId: 'ship-r1', lines: [{ lineId: 'ship-line', sku: 'SHIP-1', quantity: 3 }] });
    const { results } = await t.inventory.reserveStock({ requestId: 'ship-r2', lines: [{ lineId: 'ship-line', sku: 'SHIP-1', quantity: 4 }] });
    expect(results[0].reservation).toEqual({ lineId: 'ship-line', sku: 'SHIP-1', reservedQuantity: 7, shippedQuantity: 0 });

    const released = await t.inventory.releaseStock({ requestId: 'ship-rel', lines: [{ lineId: 'ship-line', quantity: 2 }] });
    expect(released.reservations[0].reservedQuantity).toBe(5);
    const shipped = await t.inventory.shipStock({ requestId: 'shipment-1', lines: [{ lineId: 'ship-line', quantity: 5 }] });
    expect(shipped.reservations[0]).toEqual({ lineId: 'ship-line', sku: 'SHIP-1', reservedQuantity: 0, shippedQuantity: 5 });
    // a retried shipment ships nothing more
    await t.inventory.shipStock({ requestId: 'shipment-1', lines: [{ lineId: 'ship-line', quantity: 5 }] });
    expect((await t.inventory.getStock({ sku: 'SHIP-1' })).stock).toEqual({ sku: 'SHIP-1', onHand: 5, reserved: 0, available: 5 });

    const over = await grpcError(t.inventory.shipStock({ requestId: 'shipment-2', lines: [{ lineId: 'ship-line', quantity: 1 }] }));
    expect(over.code).toBe(status.FAILED_PRECONDITION);
    expect(over.reason).toBe('RESERVATION_EXCEEDED');

    const { movements } = await t.inventory.listStockMovements({ sku: 'SHIP-1' });
    expect(movements.map((m) => [m.kind, m.onHandDelta, m.reservedDelta])).toEqual([
      [StockMovementKind.STOCK_MOVEMENT_KIND_SHIPMENT, -5, -5],
      [StockMovementKind.STOCK_MOVEMENT_KIND_RELEASE, 0, -2],
      [StockMovementKind.STOCK_MOVEMENT_KIND_RESERVATION, 0, 4],
      [StockMovementKind.STOCK_MOVEMENT_KIND_RESERVATION, 0, 3],
      [StockMovementKind.STOCK_MOVEMENT_KIND_ADJUSTMENT, 10, 0],
    ]);
  });

  it('applies a batch of reservations in order, each idempotent by its own request id', async () => {
    await product('BATCH-A', 3);
    await product('BATCH-B', 5);
    const first = { requestId: 'batch-1', allowPartial: true, lines: [{ lineId: 'b1', sku: 'BATCH-A', quantity: 2 }] };
    const second = { requestId: 'batch-2', allowPartial: true, lines: [{ lineId: 'b2', sku: 'BATCH-A', quantity: 2 }, { lineId: 'b3', sku: 'BATCH-B', quantity: 1 }] };
    const { responses } = await t.inventory.batchReserveStock({ requests: [first, second] });
    expect(responses.map((r) => r.results.map((l) => [l.lineId, l.reservedQuantity]))).toEqual([[['b1', 2]], [['b2', 1], ['b3', 1]]]);

    // a request of the batch retried on its own gets its first answer, and reserves nothing more
    const retried = await t.inventory.reserveStock(second);
    expect(retried.results.map((l) => l.reservedQuantity)).toEqual([1, 1]);
    // a batch mixing a retry with a new request applies only the new one
    const third = { requestId: 'batch-3', allowPartial: true, lines: [{ lineId: 'b4', sku: 'BATCH-B', quantity: 10 }] };
    const mixed = await t.inventory.batchReserveStock({ requests: [first, third] });
    expect(mixed.responses.map((r) => r.results[0].reservedQuantity)).toEqual([2, 4]);
    expect((await t.inventory.getStock({ sku: 'BATCH-A' })).stock).toEqual({ sku: 'BATCH-A', onHand: 3, reserved: 3, available: 0 });
    expect((await t.inventory.getStock({ sku: 'BATCH-B' })).stock).toEqual({ sku: 'BATCH-B', onHand: 5, reserved: 5, available: 0 });
  });

  it('refuses a whole batch when one of its requests is refused, applying none', async () => {
    await product('ALL-A', 4);
    const fits = { requestId: 'all-1', lines: [{ lineId: 'a1', sku: 'ALL-A', quantity: 2 }] };
    const tooMuch = { requestId: 'all-2', lines: [{ lineId: 'a2', sku: 'ALL-A', quantity: 3 }] };
    const refused = await grpcError(t.inventory.batchReserveStock({ requests: [fits, tooMuch] }));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.reason).toBe('INSUFFICIENT_STOCK');
    const unknown = await grpcError(t.inventory.batchReserveStock({ requests: [fits, { requestId: 'all-3', lines: [{ lineId: 'a3', sku: 'ALL-NONE', quantity: 1 }] }] }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect((await t.inventory.getStock({ sku: 'ALL-A' })).stock?.reserved).toBe(0);
    expect((await t.inventory.listStockMovements({ sku: 'ALL-A' })).movements).toHaveLength(1); // the seed only

    // nothing of the refused batch was kept: its requests are fresh on their own, and a reused id with another payload is ALREADY_EXISTS
    expect((await t.inventory.reserveStock(fits)).results[0].reservedQuantity).toBe(2);
    const reused = await grpcError(t.inventory.batchReserveStock({ requests: [{ ...fits, lines: [{ lineId: 'a1', sku: 'ALL-A', quantity: 1 }] }] }));
    expect(reused.code).toBe(status.ALREADY_EXISTS);
    expect((await t.inventory.getStock({ sku: 'ALL-A' })).stock?.reserved).toBe(2);
  });

  it('refuses a line id reserved for another SKU and an unknown reservation', async () => {
    await product('MIX-A', 2);
    await product('MIX-B', 2);
    await t.inventory.reserveStock({ requestId: 'mix-1', lines: [{ lineId: 'mix-line', sku: 'MIX-A', quantity: 1 }] });
    const mismatch = await grpcError(t.inventory.reserveStock({ requestId: 'mix-2', lines: [{ lineId: 'mix-line', sku: 'MIX-B', quantity: 1 }] }));
    expect(mismatch.reason).toBe('RESERVATION_SKU_MISMATCH');
    expect((await t.inventory.getStock({ sku: 'MIX-B' })).stock?.reserved).toBe(0);
    const unknown = await grpcError(t.inventory.releaseStock({ requestId: 'mix-3', lines: [{ lineId: 'no-such-line', quantity: 1 }] }));
    expect(unknown.code).toBe(status.NOT_FOUND);
  });

  it('pages through the ledger', async () => {
    await product('PAGE-1');
    for (let i = 1; i <= 5; i++) await t.inventory.adjustStock({ requestId: `page-${i}`, sku: 'PAGE-1', delta: i, reason: `count ${i}` });
    const first = await t.inventory.listStockMovements({ sku: 'PAGE-1', pageSize: 2 });
    const second = await t.inventory.listStockMovements({ sku: 'PAGE-1', pageSize: 2, pageToken: first.nextPageToken });
    const third = await t.inventory.listStockMovements({ sku: 'PAGE-1', pageSize: 2, pageToken: second.nextPageToken });
    expect([...first.movements, ...second.movements, ...third.movements].map((m) => m.onHandDelta)).toEqual([5, 4, 3, 2, 1]);
    expect(third.nextPageToken).toBe('');
  });
});
