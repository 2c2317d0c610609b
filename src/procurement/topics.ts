import type { ApplyReceiptRequest, RefreshEtasRequest } from '../gen/restock/orders/v1/orders_service';
import type { Email } from '../platform/mail';
import { topic } from '../platform/topics';

/** A released PO's email to the supplier: sent by the mailer, then the PO is marked SENT. */
export const SEND_PURCHASE_ORDER = topic<{ purchaseOrderId: string; email: Email }>('procurement.send-purchase-order');
/** Received units go to Orders, which fills the SKU's waiting lines first-in-first-out. */
export const APPLY_RECEIPT = topic<ApplyReceiptRequest>('orders.apply-receipt');
/** The supply forecast of SKUs changed: Orders recomputes their waiting lines' ETAs. */
export const REFRESH_ETAS = topic<RefreshEtasRequest>('orders.refresh-etas');
