import { status } from '@grpc/grpc-js';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { query } from './support/db';
import { product } from './support/fixtures';
import { expectReservationsAddUp } from './support/invariants';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false });
});
afterAll(() => t.stop());

describe('no oversell', () => {
  it('100 concurrent 1-unit reservations against 10 on hand leave exactly 10 reserved', async () => {
    await product(t, 'LAST-10', { onHand: 10 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => t.inventory.reserveStock({ requestId: `race-${i}`, lines: [{ lineId: `race-line-${i}`, sku: 'LAST-10', quantity: 1 }] })),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(10);
    expect(lost).toHaveLength(90);
    for (const { reason } of lost) expect(reason.code).toBe(status.FAILED_PRECONDITION);
    const stock = await expectReservationsAddUp(t, 'LAST-10');
    expect(stock).toMatchObject({ sku: 'LAST-10', onHand: 10, reserved: 10, available: 0 });
  });

  it('partial reservations racing on two SKUs in opposite orders neither oversell nor deadlock', async () => {
    await product(t, 'PAIR-A', { onHand: 30 });
    await product(t, 'PAIR-B', { onHand: 30 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const lines = [
          { lineId: `pair-${i}-a`, sku: 'PAIR-A', quantity: 2 },
          { lineId: `pair-${i}-b`, sku: 'PAIR-B', quantity: 2 },
        ];
        return t.inventory.reserveStock({ requestId: `pair-${i}`, allowPartial: true, lines: i % 2 ? lines.reverse() : lines });
      }),
    );
    const granted = (sku: string) => results.flatMap((r) => r.results).filter((r) => r.sku === sku).reduce((sum, r) => sum + r.reservedQuantity, 0);
    expect(granted('PAIR-A')).toBe(30);
    expect(granted('PAIR-B')).toBe(30);
    expect(await expectReservationsAddUp(t, 'PAIR-A')).toMatchObject({ available: 0 });
    expect(await expectReservationsAddUp(t, 'PAIR-B')).toMatchObject({ available: 0 });
  });

  it('concurrent reserves, releases, shipments and write-downs keep 0 <= reserved <= on_hand', async () => {
    await product(t, 'CHURN', { onHand: 20 });
    await t.inventory.reserveStock({ requestId: 'churn-base', lines: Array.from({ length: 10 }, (_, i) => ({ lineId: `churn-${i}`, sku: 'CHURN', quantity: 1 })) });
    const operations = Array.from({ length: 60 }, (_, i) => {
      const line = `churn-${i % 10}`;
      switch (i % 4) {
        case 0:
          return t.inventory.reserveStock({ requestId: `churn-r${i}`, allowPartial: true, lines: [{ lineId: line, sku: 'CHURN', quantity: 2 }] });
        case 1:
          return t.inventory.releaseStock({ requestId: `churn-l${i}`, lines: [{ lineId: line, quantity: 1 }] });
        case 2:
          return t.inventory.shipStock({ requestId: `churn-s${i}`, lines: [{ lineId: line, quantity: 1 }] });
        default:
          return t.inventory.adjustStock({ requestId: `churn-a${i}`, sku: 'CHURN', delta: -1, reason: 'damage' });
      }
    });
    const outcomes = await Promise.allSettled(operations);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason.code).toBe(status.FAILED_PRECONDITION);
    }
    const { shipped, ...stock } = await expectReservationsAddUp(t, 'CHURN');
    const written = outcomes.filter((o, i) => i % 4 === 3 && o.status === 'fulfilled').length;
    expect(stock.onHand).toBe(20 - shipped - written);
    // the ledger adds up to the stock level
    const [{ onHand, reserved }] = await query<{ onHand: number; reserved: number }>(
      t.databaseUrl,
      'SELECT sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved FROM inventory.stock_movement WHERE sku = $1',
      ['CHURN'],
    );
    expect({ onHand, reserved }).toEqual({ onHand: stock.onHand, reserved: stock.reserved });
  });

  it('the database refuses reserved > on_hand even from a direct write', async () => {
    await product(t, 'CHECKED', { onHand: 1 });
    await expect(query(t.databaseUrl, "UPDATE inventory.stock SET reserved = 2 WHERE sku = 'CHECKED'")).rejects.toThrow(/stock_reserved_within_on_hand/);
    expect((await grpcError(t.inventory.reserveStock({ requestId: 'checked', lines: [{ lineId: 'c', sku: 'CHECKED', quantity: 2 }] }))).reason).toBe('INSUFFICIENT_STOCK');
  });
});
