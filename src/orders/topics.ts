import type { ReleaseStockRequest, ShipStockRequest } from '../gen/restock/inventory/v1/inventory_service';
import type { CancelDemandRequest, RecordDemandRequest } from '../gen/restock/procurement/v1/procurement_service';
import { topic } from '../platform/topics';

/** Backordered units become demand in the supplier's buffer (request_id only when a demand grows again). */
export const RECORD_DEMAND = topic<Omit<RecordDemandRequest, 'requestId'> & { requestId?: string }>('procurement.record-demand');
/** Demand that no longer needs buying (cancelled, or filled from free stock) leaves the buffer. */
export const CANCEL_DEMAND = topic<CancelDemandRequest>('procurement.cancel-demand');
/** Units a cancelled line held go back to free stock. */
export const RELEASE_STOCK = topic<ReleaseStockRequest>('inventory.release-stock');
/** Units a shipment took leave the warehouse. */
export const SHIP_STOCK = topic<ShipStockRequest>('inventory.ship-stock');
/** The orders an allocation batch made ready to ship get their email, off the allocation's critical path. */
export const READY_TO_SHIP_EMAILS = topic<{ batchId: string }>('orders.ready-to-ship-emails');
/** An order whose waiting lines have good ETA news gets one email for the day, under its SKUs' locks, off the refresh of one SKU. */
export const ETA_NEWS = topic<{ orderId: string; day: string }>('orders.eta-news');
/** A SKU's free stock goes to its waiting lines by the usual FIFO rule (after a change of their place in the queue). */
export const ALLOCATE_STOCK = topic<{ sku: string }>('orders.allocate-stock');
