import type { ApplyReceiptRequest, RefreshEtasRequest } from '../gen/restock/orders/v1/orders_service';
import { topic } from '../platform/topics';
import type { PurchaseOrderEmailKind } from './purchase-order-email.repository';

/**
 * An email about a PO to its supplier: which PO, what kind of email, and who asked for it and why (a resend).
 * The delivery composes it once from the stored PO, the supplier's current address and the configuration, logs
 * it under the message's key and sends that same email on every retry; an ORDER accepted by SMTP makes the PO
 * SENT. A message written before emails were logged carries the composed email and no kind: it is an ORDER.
 */
export const SEND_PURCHASE_ORDER = topic<{ purchaseOrderId: string; kind?: PurchaseOrderEmailKind; requestedBy?: string; reason?: string }>('procurement.send-purchase-order');
/** Received units go to Orders, which fills the SKU's waiting lines first-in-first-out. */
export const APPLY_RECEIPT = topic<ApplyReceiptRequest>('orders.apply-receipt');
/** The supply forecast of SKUs changed: Orders recomputes their waiting lines' ETAs. */
export const REFRESH_ETAS = topic<RefreshEtasRequest>('orders.refresh-etas');
