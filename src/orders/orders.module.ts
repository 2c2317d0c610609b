import { migrations } from '../../migrations/orders';
import { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import type { ServiceModule } from '../platform/service-module';
import { delivery } from '../platform/topics';
import { sendReadyToShipEmails } from './allocation';
import { ordersGauges } from './orders.gauges';
import { ordersHandlers } from './orders.grpc';
import { recoverUnfinishedWork, recoveryTask } from './recovery';
import { stillWaitingTask } from './still-waiting';
import { sendEtaNews } from './eta-news';
import { deleteEventsBefore } from './order-event.repository';
import { allocateStock } from './receipts';
import { ALLOCATE_STOCK, CANCEL_DEMAND, ETA_NEWS, READY_TO_SHIP_EMAILS, RECORD_DEMAND, RELEASE_STOCK, SHIP_STOCK } from './topics';

/** Orders: customer orders, the FIFO backorder queue, allocation, shipping and customer emails. */
export const ordersModule: ServiceModule<typeof OrdersServiceDefinition> = {
  name: 'orders',
  schema: { schema: 'orders', entities: [], migrations },
  descriptor: OrdersServiceDefinition,
  create: (deps) => ({
    handlers: ordersHandlers(deps),
    deliveries: [
      delivery(RECORD_DEMAND, (request) => deps.peers.procurement.recordDemand(request)),
      delivery(CANCEL_DEMAND, (request) => deps.peers.procurement.cancelDemand(request)),
      delivery(RELEASE_STOCK, (request) => deps.peers.inventory.releaseStock(request)),
      delivery(SHIP_STOCK, (request) => deps.peers.inventory.shipStock(request)),
      delivery(READY_TO_SHIP_EMAILS, ({ batchId }) => sendReadyToShipEmails(deps, batchId)),
      delivery(ETA_NEWS, (news) => sendEtaNews(deps, news)),
      delivery(ALLOCATE_STOCK, async ({ sku }) => void (await allocateStock(deps, sku))),
    ],
    retained: [{ name: 'events', deleteBefore: deleteEventsBefore }],
    tasks: [recoveryTask(deps), stillWaitingTask(deps)],
    onServing: async () => void (await recoverUnfinishedWork(deps)),
    metrics: ordersGauges(deps),
  }),
};
