import type { AllocateStockRequest } from '../gen/restock/orders/v1/orders_service';
import { topic } from '../platform/topics';

/** Free stock of a SKU grew: Orders hands it to the SKU's waiting lines first. */
export const ALLOCATE_STOCK = topic<AllocateStockRequest>('orders.allocate-stock');
