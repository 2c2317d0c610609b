import { assertTransition, PURCHASE_ORDER_TRANSITIONS } from './purchase-order-lifecycle';
import type { PurchaseOrder, PurchaseOrderStatus } from './purchase-orders';

const order = (status: PurchaseOrderStatus) => ({ purchaseOrderId: 'po', number: 'PO-2026-000001', status }) as PurchaseOrder;

describe('purchase order transitions', () => {
  it('never leaves a cancelled PO and never goes back to ISSUED', () => {
    expect(PURCHASE_ORDER_TRANSITIONS.CANCELLED).toEqual([]);
    for (const next of Object.values(PURCHASE_ORDER_TRANSITIONS)) expect(next).not.toContain('ISSUED');
  });

  it('cancels only before goods arrive', () => {
    for (const status of ['ISSUED', 'SENT', 'CONFIRMED'] as const) expect(() => assertTransition(order(status), 'CANCELLED')).not.toThrow();
    for (const status of ['PARTIALLY_RECEIVED', 'RECEIVED'] as const) expect(() => assertTransition(order(status), 'CANCELLED')).toThrow(/cannot become CANCELLED/);
  });

  it('confirms a PO not yet received, even one whose email is still pending', () => {
    for (const status of ['ISSUED', 'SENT'] as const) expect(() => assertTransition(order(status), 'CONFIRMED')).not.toThrow();
    for (const status of ['PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'] as const) expect(() => assertTransition(order(status), 'CONFIRMED')).toThrow();
  });

  it('revises a confirmed PO (CONFIRMED again) and keeps a partly received one PARTIALLY_RECEIVED', () => {
    expect(assertTransition(order('CONFIRMED'), 'CONFIRMED')).toEqual({ purchaseOrderId: 'po', from: 'CONFIRMED', to: 'CONFIRMED' });
    expect(() => assertTransition(order('PARTIALLY_RECEIVED'), 'PARTIALLY_RECEIVED')).not.toThrow();
  });

  it('answers an allowed change with the statuses it was checked between, and refuses an illegal one', () => {
    expect(assertTransition(order('ISSUED'), 'SENT')).toEqual({ purchaseOrderId: 'po', from: 'ISSUED', to: 'SENT' });
    expect(() => assertTransition(order('CONFIRMED'), 'SENT')).toThrow(expect.objectContaining({ reason: 'INVALID_PURCHASE_ORDER_TRANSITION' }));
    expect(() => assertTransition(order('CANCELLED'), 'RECEIVED')).toThrow(/PO-2026-000001 is CANCELLED and cannot become RECEIVED/);
  });

  it('makes a PO SENT only from ISSUED', () => {
    for (const [from, next] of Object.entries(PURCHASE_ORDER_TRANSITIONS)) expect([from, next.includes('SENT')]).toEqual([from, from === 'ISSUED']);
  });
});
