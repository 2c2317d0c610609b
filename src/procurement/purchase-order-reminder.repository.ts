import type { Sql } from '../platform/orm';
import { PURCHASE_ORDER_DUE_SQL } from './overdue.repository';

/** A sent PO its supplier has not confirmed, with what its next reminder is reckoned from. */
export interface UnconfirmedPurchaseOrder {
  purchaseOrderId: string;
  timeZone: string;
  sendTime: Date;
  lastReminderTime: Date | null;
  reminderCount: number;
}

/**
 * The SENT POs not yet flagged for a planner's attention whose send (or last reminder) time is at or before
 * `since` (a bound: the business days are counted by the caller), with their supplier's time zone.
 */
export function findUnconfirmedPurchaseOrders(sql: Sql, since: Date): Promise<UnconfirmedPurchaseOrder[]> {
  return sql<UnconfirmedPurchaseOrder>(
    `SELECT po.purchase_order_id, s.time_zone, po.send_time, po.last_reminder_time, po.reminder_count
     FROM procurement.purchase_order po JOIN procurement.supplier s ON s.supplier_id = po.supplier_id
     WHERE po.status = 'SENT' AND po.attention_time IS NULL AND po.send_time IS NOT NULL
       AND coalesce(po.last_reminder_time, po.send_time) <= ?
     ORDER BY po.purchase_order_id`,
    [since],
  );
}

/**
 * Counts a reminder on each PO still SENT whose count is still the one read (so two runs at once remind a PO
 * once); returns the POs counted, with their new count.
 */
export function countConfirmReminders(sql: Sql, reminders: { purchaseOrderId: string; reminderCount: number }[], now: Date): Promise<{ purchaseOrderId: string; reminderCount: number }[]> {
  return sql<{ purchaseOrderId: string; reminderCount: number }>(
    `UPDATE procurement.purchase_order po SET reminder_count = po.reminder_count + 1, last_reminder_time = ?, update_time = now()
     FROM unnest(?::text[], ?::int[]) AS r(id, seen)
     WHERE po.purchase_order_id = r.id AND po.reminder_count = r.seen AND po.status = 'SENT'
     RETURNING po.purchase_order_id, po.reminder_count`,
    [now, reminders.map((r) => r.purchaseOrderId), reminders.map((r) => r.reminderCount)],
  );
}

/** Flags POs still SENT as needing a planner's attention (once); returns the ones flagged now. */
export async function flagForAttention(sql: Sql, purchaseOrderIds: string[], now: Date): Promise<string[]> {
  const rows = await sql<{ purchaseOrderId: string }>(
    `UPDATE procurement.purchase_order SET attention_time = ?, update_time = now()
     WHERE purchase_order_id = ANY(?) AND status = 'SENT' AND attention_time IS NULL RETURNING purchase_order_id`,
    [now, purchaseOrderIds],
  );
  return rows.map((r) => r.purchaseOrderId);
}

/**
 * Marks the POs that became overdue as of asOf (PURCHASE_ORDER_DUE_SQL, the one definition of overdue) and
 * whose supplier was not told yet, and returns them; only POs the supplier has (sent) are reminded.
 */
export async function claimOverdueReminders(sql: Sql, asOf: Date): Promise<string[]> {
  const rows = await sql<{ purchaseOrderId: string }>(
    `UPDATE procurement.purchase_order po SET overdue_reminder_time = ?, update_time = now()
     WHERE po.send_time IS NOT NULL AND po.overdue_reminder_time IS NULL AND ${PURCHASE_ORDER_DUE_SQL} < ?
     RETURNING po.purchase_order_id`,
    [asOf, asOf],
  );
  return rows.map((r) => r.purchaseOrderId);
}
