import type { Clock } from '../platform/clock';
import { failedPrecondition } from '../platform/errors';
import { once } from '../platform/idempotency';
import { transaction, type Orm } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import { refreshEtas } from './eta-refresh';
import { assertTransition } from './purchase-order-lifecycle';
import { findPurchaseOrder, type PurchaseOrder } from './purchase-orders';
import { addReceivedQuantities, insertLeadTimeObservations, updatePurchaseOrderStatus } from './purchase-order.repository';
import { message } from '../platform/topics';
import { APPLY_RECEIPT } from './topics';

export interface Receipt {
  receiptId: string;
  purchaseOrderId: string;
  lines: { sku: string; quantity: number }[];
  /** Null = now. */
  receivedTime: Date | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Records delivered goods once per receipt id: partial and over-receipts are both kept as they came.
 * Each received line is a lead-time observation (days from send to receipt) and reaches
 * Orders.ApplyReceipt through the outbox, which receives the stock and allocates it.
 */
export function receivePurchaseOrder(orm: Orm, clock: Clock, receipt: Receipt): Promise<PurchaseOrder> {
  return transaction(orm, async (sql) => {
    const receivedTime = receipt.receivedTime ?? clock.now();
    const request = { purchaseOrderId: receipt.purchaseOrderId, lines: receipt.lines, receivedTime: receipt.receivedTime };
    await once(sql, 'procurement', 'ReceivePurchaseOrder', receipt.receiptId, request, async () => {
      const order = await findPurchaseOrder(sql, receipt.purchaseOrderId, true);
      const onOrder = new Map(order.lines.map((l) => [l.sku, l]));
      const unknown = receipt.lines.find((l) => !onOrder.has(l.sku));
      if (unknown) throw failedPrecondition('SKU_NOT_ON_PURCHASE_ORDER', `${unknown.sku} is not on ${order.number}`, { sku: unknown.sku });
      const received = new Map(order.lines.map((l) => [l.sku, l.receivedQuantity]));
      for (const line of receipt.lines) received.set(line.sku, received.get(line.sku)! + line.quantity);
      // A line is complete once what arrived covers what the supplier confirmed (or, unconfirmed, what we ordered).
      const complete = order.lines.every((l) => received.get(l.sku)! >= (l.confirmedQuantity ?? l.quantity));
      const status = complete ? 'RECEIVED' : 'PARTIALLY_RECEIVED';
      const change = assertTransition(order, status);

      const skus = receipt.lines.map((l) => l.sku);
      await addReceivedQuantities(sql, order.purchaseOrderId, receipt.lines);
      await updatePurchaseOrderStatus(sql, change);
      const days = (receivedTime.getTime() - (order.sendTime ?? order.createTime).getTime()) / DAY_MS;
      await insertLeadTimeObservations(sql, {
        supplierId: order.supplierId, purchaseOrderId: order.purchaseOrderId, receiptId: receipt.receiptId, days: Math.max(0, days), observeTime: receivedTime, skus,
      });
      await enqueue(
        sql,
        'procurement',
        receipt.lines.map((line) =>
          message(APPLY_RECEIPT, `apply-receipt:${receipt.receiptId}:${line.sku}`, { receiptId: `${receipt.receiptId}:${line.sku}`, sku: line.sku, quantity: line.quantity }),
        ),
      );
      await refreshEtas(sql, skus, `received:${receipt.receiptId}`);
      return { purchaseOrderId: order.purchaseOrderId };
    });
    return findPurchaseOrder(sql, receipt.purchaseOrderId);
  });
}
