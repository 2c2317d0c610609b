import type { Clock } from '../platform/clock';
import type { Orm } from '../platform/orm';
import type { Task } from '../platform/scheduler';
import { sendReminders, type ReminderPolicy } from './purchase-order-reminders';

/**
 * Chases suppliers on each scheduler tick (SCHEDULER_TICK): reminders to confirm, planners' attention for POs
 * still unconfirmed after the last one, and a reminder for POs that became overdue (sendReminders).
 */
export function purchaseOrderRemindersTask(orm: Orm, clock: Clock, schedule: string, policy: ReminderPolicy): Task {
  return {
    id: 'procurement.purchase-order-reminders',
    schedule,
    run: async () => {
      await sendReminders(orm, clock, policy);
    },
  };
}
