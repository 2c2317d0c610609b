import type { ServiceDeps } from '../platform/service-module';
import type { Task } from '../platform/scheduler';
import { sqlOf } from '../platform/orm';
import { allocateFifo } from './allocation';
import { skusWithPlannedBatches } from './allocation.repository';
import { unfinishedOrders } from './order.repository';
import { finishPlacement } from './placement-states';
import { finishPlannedBatches } from './receipts';
import { withSkuLocks } from './sku-locks';
import { skusWithTakenWriteOffs } from './write-off.repository';
import { finishTakenWriteOffs } from './write-offs';

/**
 * Finishes sagas a crash (or an unreachable Inventory) left half done: pending or refused placements
 * are completed or compensated (and the stock they leave free handed to the lines that waited behind them),
 * planned allocation batches are reserved and applied, write-offs taken from lines are finished. Each runs under
 * its SKUs' locks, so a placement still in flight in another process is waited for, then skipped.
 */
export async function recoverUnfinishedWork(deps: ServiceDeps): Promise<{ orders: number; batches: number }> {
  const sql = sqlOf(deps.orm.em.fork());
  const orders = await unfinishedOrders(sql);
  for (const order of orders) {
    await withSkuLocks(deps.orm, order.skus, async (session) => {
      await finishPlacement(deps, session, order.orderId);
      // Orders placed while this one was pending waited behind it, even for stock it leaves free; nothing
      // else would hand them that stock (free stock did not grow), so allocation runs here.
      for (const sku of order.skus) await allocateFifo(deps, session, { batchId: `recovered:${order.orderId}:${sku}`, sku, receiptQuantity: 0 });
    }).catch((error: unknown) => deps.log.info({ orderId: order.orderId, err: error }, 'placement recovery ended without an order'));
  }
  const skus = await skusWithPlannedBatches(sql);
  for (const sku of skus) {
    await withSkuLocks(deps.orm, [sku], (session) => finishPlannedBatches(deps, session, sku)).catch((error: unknown) =>
      deps.log.warn({ sku, err: error }, 'allocation recovery failed; next run retries'),
    );
  }
  for (const sku of await skusWithTakenWriteOffs(sql)) {
    await withSkuLocks(deps.orm, [sku], (session) => finishTakenWriteOffs(deps, session, sku)).catch((error: unknown) =>
      deps.log.warn({ sku, err: error }, 'write-off recovery failed; next run retries'),
    );
  }
  return { orders: orders.length, batches: skus.length };
}

/** Runs the recovery every 10 seconds (and once at startup, from the module). */
export function recoveryTask(deps: ServiceDeps): Task {
  return { id: 'orders.recover-unfinished-work', schedule: '*/10 * * * * *', run: async () => void (await recoverUnfinishedWork(deps)) };
}
