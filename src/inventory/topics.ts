import type { AllocateStockRequest, CancelWaitingLinesRequest } from '../gen/restock/orders/v1/orders_service';
import { topic } from '../platform/topics';

/** Free stock of a SKU grew: Orders hands it to the SKU's waiting lines first. */
export const ALLOCATE_STOCK = topic<AllocateStockRequest>('orders.allocate-stock');
/** A product was discontinued with CANCEL: Orders cancels its waiting lines. */
export const CANCEL_WAITING_LINES = topic<CancelWaitingLinesRequest>('orders.cancel-waiting-lines');
