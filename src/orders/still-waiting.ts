import { transaction } from '../platform/orm';
import { enqueue } from '../platform/outbox';
import type { Task } from '../platform/scheduler';
import type { ServiceDeps } from '../platform/service-module';
import { stillWaitingEmail } from './customer-emails';
import { loadOrders } from './order-queries';
import { ordersStillWaiting } from './order.repository';
import { EMAIL } from '../platform/mail';
import { message } from '../platform/topics';
import { withOrderLink } from './customer-links';

/**
 * Emails every customer whose order has waited another STILL_WAITING_DAYS (default 7) days since it was
 * placed; the period number is in the dedupe key, so each update is sent once however often this runs.
 */
export function sendStillWaitingUpdates(deps: ServiceDeps): Promise<number> {
  const days = deps.config.STILL_WAITING_DAYS;
  const now = deps.clock.now();
  return transaction(deps.orm, async (sql) => {
    const due = await ordersStillWaiting(sql, now, days);
    const period = new Map(due.map((d) => [d.orderId, d.period]));
    const orders = await loadOrders(sql, due.map((d) => d.orderId));
    await enqueue(
      sql,
      'orders',
      orders.map((order) => message(EMAIL, `still-waiting:${order.orderId}:${period.get(order.orderId)}`, withOrderLink(deps, order, stillWaitingEmail(order)))),
    );
    return orders.length;
  });
}

/** Checks for due "still waiting" updates every hour. */
export function stillWaitingTask(deps: ServiceDeps): Task {
  return { id: 'orders.still-waiting-updates', schedule: '0 * * * *', run: async () => void (await sendStillWaitingUpdates(deps)) };
}
