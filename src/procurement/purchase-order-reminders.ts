import type { Clock } from '../platform/clock';
import { enqueue } from '../platform/outbox';
import { transaction, type Orm } from '../platform/orm';
import { addBusinessDays } from './business-days';
import { addDays } from './lead-times';
import { emailMessage } from './purchase-order-emails';
import { claimOverdueReminders, countConfirmReminders, findUnconfirmedPurchaseOrders, flagForAttention } from './purchase-order-reminder.repository';

/** How suppliers are chased: business days a sent PO may stay unconfirmed, and reminders at most before a planner is. */
export interface ReminderPolicy {
  confirmDays: number;
  reminders: number;
}

/**
 * Chases suppliers as of now, in one transaction: a SENT PO unconfirmed for confirmDays business days (in its
 * supplier's time zone) since it was sent or last reminded gets a CONFIRM_REMINDER, up to `reminders` of them;
 * one still unconfirmed confirmDays after the last needs a planner's attention. A PO that became overdue gets
 * one OVERDUE_REMINDER. Guarded updates make a second run at once (another replica) remind nobody twice.
 */
export function sendReminders(orm: Orm, clock: Clock, policy: ReminderPolicy): Promise<{ confirmReminders: number; attention: number; overdueReminders: number }> {
  return transaction(orm, async (sql) => {
    const now = clock.now();
    // a business day spans at least a calendar day, less an hour where the clocks go forward: with a day of
    // slack, nothing sent (or reminded) after this bound can be due
    const candidates = await findUnconfirmedPurchaseOrders(sql, addDays(now, 1 - policy.confirmDays));
    const due = candidates.filter((po) => addBusinessDays(po.lastReminderTime ?? po.sendTime, policy.confirmDays, po.timeZone).getTime() <= now.getTime());
    const reminded = await countConfirmReminders(sql, due.filter((po) => po.reminderCount < policy.reminders), now);
    const flagged = await flagForAttention(sql, due.filter((po) => po.reminderCount >= policy.reminders).map((po) => po.purchaseOrderId), now);
    const overdue = await claimOverdueReminders(sql, now);
    await enqueue(sql, 'procurement', [
      ...reminded.map((po) => emailMessage(`purchase-order-email:${po.purchaseOrderId}:confirm-reminder:${po.reminderCount}`, { purchaseOrderId: po.purchaseOrderId, kind: 'CONFIRM_REMINDER' })),
      ...overdue.map((id) => emailMessage(`purchase-order-email:${id}:overdue-reminder`, { purchaseOrderId: id, kind: 'OVERDUE_REMINDER' })),
    ]);
    return { confirmReminders: reminded.length, attention: flagged.length, overdueReminders: overdue.length };
  });
}
